"""The entrant's initiative and entries through the API: the same services as the pages for
every write, the same selectors for every read. States change only through the actions."""

from __future__ import annotations

import django_filters
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api.prijzen.serializers import (
    EntryCreateSerializer,
    EntrySerializer,
    EntryUpdateSerializer,
    GalleryApprovalSerializer,
    InitiativeSerializer,
    PosterMomentSerializer,
    PublicationConsentSerializer,
    VlogStatusSerializer,
)
from common.api import FilterSet, errors
from common.errors import DomainError, NotAllowed
from media_pipeline.models import MediaAsset
from media_pipeline.selectors import vlog_status
from prijzen import selectors, services
from prijzen.enums import EntryState
from prijzen.forms import InitiativeForm
from prijzen.models import Entry
from results.selectors import entries_visible_to

# --- Initiative ----------------------------------------------------------------------------


def _form_errors(form) -> dict[str, list[str]]:
    return {
        ("non_field_errors" if name == "__all__" else name): [str(e["message"]) for e in errs]
        for name, errs in form.errors.get_json_data().items()
    }


class InitiativeView(APIView):
    """The signed-in user's own initiative (one per account, as on the page)."""

    @extend_schema(
        summary="Your initiative",
        responses={200: InitiativeSerializer, **errors(404)},
    )
    def get(self, request):
        initiative = selectors.initiative_of(request.user)
        if initiative is None:
            raise Http404
        return Response(InitiativeSerializer(initiative).data)

    @extend_schema(
        summary="Create or replace your initiative",
        description="Creates the initiative when you have none (201), else replaces its "
        "details (200). The municipality must be one of the current Dutch municipalities; "
        "the province follows from it.",
        request=InitiativeSerializer,
        responses={200: InitiativeSerializer, 201: InitiativeSerializer, **errors(400, 415)},
    )
    def put(self, request):
        return self._save(request, partial=False)

    @extend_schema(
        summary="Change some details of your initiative",
        description="Only the fields sent change (an initiative that does not exist yet is "
        "created, and then needs every required field).",
        request=InitiativeSerializer(partial=True),
        responses={200: InitiativeSerializer, 201: InitiativeSerializer, **errors(400, 415)},
    )
    def patch(self, request):
        return self._save(request, partial=True)

    def _save(self, request, *, partial: bool):
        initiative = selectors.initiative_of(request.user)
        incoming = InitiativeSerializer(initiative, data=request.data, partial=partial)
        incoming.is_valid(raise_exception=True)  # types and lengths
        current = InitiativeSerializer(initiative).data if (initiative and partial) else {}
        data = {**current, **incoming.validated_data}
        # The page's form decides what is valid (municipality from the list, web address).
        form = InitiativeForm(data={k: v or "" for k, v in data.items()}, instance=initiative)
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        saved = services.save_initiative(
            owner=request.user, data=form.cleaned_data, initiative=initiative
        )
        return Response(InitiativeSerializer(saved).data, status=201 if initiative is None else 200)


# --- Entries -------------------------------------------------------------------------------


class EntryFilter(FilterSet):
    edition = django_filters.CharFilter(field_name="edition__slug", help_text="Edition slug.")
    category = django_filters.CharFilter(field_name="category__slug", help_text="Category slug.")
    state = django_filters.ChoiceFilter(choices=EntryState.choices)

    class Meta:
        model = Entry
        fields = ["edition", "category", "state"]


def _entry_response(entry: Entry, request, status: int = 200) -> Response:
    """The entry as the list shows it (re-read through the selector)."""
    fresh = _visible(request).get(pk=entry.pk)
    return Response(EntrySerializer(fresh).data, status=status)


def _visible(request):
    # The edition's texts: for the consents that are asked again (``missing``).
    return entries_visible_to(request.user).prefetch_related("consents", "edition__wordings")


ACTION_ERRORS = errors(400, 404, 409)


@extend_schema_view(
    list=extend_schema(
        summary="List entries",
        description="Entrants see their own initiative's entries; organisers see every entry.",
        responses={200: EntrySerializer(many=True), **errors(400)},
    ),
    retrieve=extend_schema(summary="One entry", responses={200: EntrySerializer, **errors(404)}),
    create=extend_schema(
        summary="Start an entry",
        description="A new draft for your initiative, while the edition's entry window is "
        "open (tell about your initiative first: PUT /api/v1/initiative/).",
        request=EntryCreateSerializer,
        responses={201: EntrySerializer, **errors(400, 415)},
    ),
    partial_update=extend_schema(
        summary="Change an entry",
        description="Until the deadline, like the edit page. A submitted entry must stay "
        "complete. `consents` sets all consents at once.",
        request=EntryUpdateSerializer,
        responses={200: EntrySerializer, **errors(400, 404, 415)},
    ),
)
class EntryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = EntrySerializer
    filterset_class = EntryFilter
    ordering_fields = ["number", "submitted_at", "title"]
    ordering = ["edition", "number", "pk"]

    def get_queryset(self):
        return _visible(self.request).order_by(*self.ordering)

    def _own_entry(self) -> Entry:
        """The entry for a change: 404 when hidden, 403 when visible but not yours (an
        organiser looking at an entrant's entry)."""
        entry = self.get_object()
        own = selectors.entries_of_entrant(self.request.user).filter(pk=entry.pk).first()
        if own is None:
            raise NotAllowed(_("Only the entrant can change this entry."))
        return own

    def create(self, request, *args, **kwargs):
        data = EntryCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        initiative = selectors.initiative_of(request.user)
        if initiative is None:
            raise DomainError(_("First tell us about your initiative."), code="no_initiative")
        with transaction.atomic():  # as the pages do: start, then fill in; all or nothing
            entry = services.start_entry(
                initiative=initiative, edition=values["edition"], actor=request.user
            )
            services.save_draft(
                entry=entry, data=values, category=values["category"], actor=request.user
            )
            if "consents" in values:
                services.set_consents(entry=entry, given=values["consents"], actor=request.user)
        return _entry_response(entry, request, status=201)

    def partial_update(self, request, *args, **kwargs):
        entry = self._own_entry()
        data = EntryUpdateSerializer(data=request.data, context={"entry": entry})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with transaction.atomic():  # as the edit page: texts and consents together
            services.save_draft(
                entry=entry, data=values, category=values.get("category"), actor=request.user
            )
            if "consents" in values:
                services.set_consents(entry=entry, given=values["consents"], actor=request.user)
        return _entry_response(entry, request)

    @extend_schema(
        summary="Submit the entry",
        description="draft → submitted: needs the texts, a processed vlog, the privacy and "
        "people consents and a verified e-mail address, before the deadline. Gives the "
        "entry its number and sends the receipt by e-mail.",
        request=None,
        responses={200: EntrySerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        entry = services.submit_entry(entry=self._own_entry(), actor=request.user)
        return _entry_response(entry, request)

    @extend_schema(
        summary="Withdraw the entry",
        description="submitted → withdrawn, before the deadline.",
        request=None,
        responses={200: EntrySerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        entry = services.withdraw_entry(entry=self._own_entry(), actor=request.user)
        return _entry_response(entry, request)

    @extend_schema(
        summary="Take part again with a withdrawn entry",
        description="withdrawn → draft, before the deadline.",
        request=None,
        responses={200: EntrySerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        entry = services.reopen_entry(entry=self._own_entry(), actor=request.user)
        return _entry_response(entry, request)

    @extend_schema(
        summary="Give or withdraw consent for the public gallery",
        description="At any time, also after the deadline and the results: withdrawing "
        "takes the vlog off every public page at once.",
        request=PublicationConsentSerializer,
        responses={200: EntrySerializer, **errors(400, 404, 415)},
    )
    @action(detail=True, methods=["post"], url_path="publication-consent")
    def publication_consent(self, request, pk=None):
        entry = self._own_entry()
        data = PublicationConsentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.set_publication_consent(
            entry=entry, given=data.validated_data["given"], actor=request.user
        )
        return _entry_response(entry, request)

    @extend_schema(
        summary="Choose the moment of the vlog that becomes its picture",
        description="Until the deadline, a moment within the processed vlog; the picture is "
        "made again in the background. At most a number of choices per hour (400, "
        "`poster_throttled`).",
        request=PosterMomentSerializer,
        responses={200: EntrySerializer, **errors(400, 403, 404, 415)},
    )
    @action(detail=True, methods=["post"])
    def poster(self, request, pk=None):
        entry = self._own_entry()
        data = PosterMomentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.choose_entry_poster(
            entry=entry, at_seconds=data.validated_data["at_seconds"], actor=request.user
        )
        return _entry_response(entry, request)

    @extend_schema(
        summary="Approve the entry for the public gallery, or take that back (organisers)",
        description="For editions whose entries show in the gallery only after an organiser "
        "approved them; the entrant's publication consent is needed as well. Others: 403 "
        "(their own entry) or 404.",
        request=GalleryApprovalSerializer,
        responses={200: EntrySerializer, **errors(400, 403, 404, 415)},
    )
    @action(detail=True, methods=["post"], url_path="gallery-approval")
    def gallery_approval(self, request, pk=None):
        entry = self.get_object()
        if not request.user.is_organiser:
            raise NotAllowed(_("Only organisers approve entries for the gallery."))
        data = GalleryApprovalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.set_gallery_approval(
            entry=entry, approved=data.validated_data["approved"], actor=request.user
        )
        return _entry_response(entry, request)

    @extend_schema(
        summary="The vlog's processing state",
        description="The current vlog and a new upload being processed: state, progress, "
        "why it was rejected, duration, which outputs are ready and presigned preview and "
        "poster URLs.",
        responses={200: VlogStatusSerializer, **errors(404)},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def vlog(self, request, pk=None):
        entry = self.get_object()
        pending = None
        if entry.pending_vlog_id:
            pending = (
                MediaAsset.objects.prefetch_related("renditions")
                .filter(pk=entry.pending_vlog_id)
                .first()
            )
        body = {"current": vlog_status(entry.vlog), "pending": vlog_status(pending)}
        return Response(VlogStatusSerializer(body).data)
