"""Results through the API: the public gallery and winners (published decisions only), and
the organisers' decisions and announcement. The same selectors and services as the pages:
``results.selectors`` keeps the embargo, ``results.decisions`` makes every change."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import FilterSet, errors
from common.http import organiser
from prijzen.models import Award, Category, Edition, Entry
from results import decisions
from results.selectors import public_awards, public_entries, public_nominee_ids

# --- Serializers --------------------------------------------------------------------------


class PublicEntrySerializer(serializers.ModelSerializer):
    """An entry on the public site. ``winner`` and ``nominated`` are false until the
    edition's results are published."""

    edition: serializers.SlugRelatedField[Edition] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    category: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    initiative = serializers.CharField(source="initiative.name", read_only=True)
    municipality = serializers.CharField(source="initiative.municipality", read_only=True)
    province = serializers.CharField(source="initiative.province", read_only=True)
    page_url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()
    winner = serializers.SerializerMethodField()
    nominated = serializers.SerializerMethodField()

    class Meta:
        model = Entry
        fields = [
            "id",
            "edition",
            "number",
            "category",
            "title",
            "summary",
            "initiative",
            "municipality",
            "province",
            "page_url",
            "poster_url",
            "winner",
            "nominated",
        ]

    def _url(self, name: str, entry: Entry) -> str:
        path = reverse(name, args=[entry.edition.slug, entry.number])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_page_url(self, entry) -> str:
        return self._url("public-entry", entry)

    def get_poster_url(self, entry) -> str:
        return self._url("public-poster", entry)

    def get_winner(self, entry) -> bool:
        return entry.pk in self.context["awards"]

    def get_nominated(self, entry) -> bool:
        return entry.pk in self.context["nominees"]


class WinnerSerializer(serializers.Serializer):
    category = serializers.CharField(source="category.slug")
    category_name = serializers.CharField(source="category.name")
    motivation = serializers.CharField(allow_null=True)
    entry = PublicEntrySerializer(
        allow_null=True,
        help_text="Null when the entrant did not "
        "agree to publication: the winner is then not shown.",
    )


class AwardSerializer(serializers.ModelSerializer):
    entry = serializers.PrimaryKeyRelatedField(queryset=Entry.objects.all())
    category: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = Award
        fields = ["id", "entry", "category", "motivation", "decided_by", "created_at", "updated_at"]
        read_only_fields = ["id", "category", "decided_by", "created_at", "updated_at"]


class MotivationSerializer(serializers.Serializer):
    motivation = serializers.CharField(max_length=3000)


class ResultsSerializer(serializers.ModelSerializer):
    edition = serializers.CharField(source="slug", read_only=True)

    class Meta:
        model = Edition
        fields = [
            "edition",
            "results_state",
            "results_publish_at",
            "results_published_at",
            "share_feedback",
        ]
        read_only_fields = fields


class ScheduleSerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="When to publish (ISO 8601 with a time zone).")


class FeedbackSettingSerializer(serializers.Serializer):
    share_feedback = serializers.BooleanField()


# --- Public: gallery and winners --------------------------------------------------------------


class GalleryFilter(FilterSet):
    edition = django_filters.CharFilter(field_name="edition__slug")
    category = django_filters.CharFilter(field_name="category__slug")
    province = django_filters.CharFilter(field_name="initiative__province")
    search = django_filters.CharFilter(
        method="filter_search", label="Title, initiative or municipality contains"
    )

    class Meta:
        model = Entry
        fields = ["edition", "category", "province", "search"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(initiative__name__icontains=value)
            | Q(initiative__municipality__icontains=value)
        )


def _published_context(entries) -> dict:
    """Award and nomination ids of the published editions among ``entries``' editions."""
    awards, nominees = set(), set()
    for edition in {e.edition for e in entries}:
        awards |= set(public_awards(edition))
        nominees |= public_nominee_ids(edition)
    return {"awards": awards, "nominees": nominees}


@extend_schema_view(
    list=extend_schema(summary="The public gallery: entries whose makers agreed to publication"),
    retrieve=extend_schema(
        summary="One public entry", responses={200: PublicEntrySerializer, **errors(404)}
    ),
)
class GalleryViewSet(viewsets.ReadOnlyModelViewSet):
    """Ordered by edition and entry number only: nothing here reflects a decision before
    the results are published."""

    serializer_class = PublicEntrySerializer
    permission_classes = [permissions.AllowAny]
    filterset_class = GalleryFilter
    ordering_fields = ["number"]
    ordering = ["number"]

    def get_queryset(self):
        return public_entries().order_by("edition_id", "number")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "awards": set(), "nominees": set()}

    def get_serializer(self, *args, **kwargs):
        if args:
            items = args[0] if kwargs.get("many") else [args[0]]
            context = self.get_serializer_context() | _published_context(items)
            return self.serializer_class(*args, context=context, **kwargs)
        return super().get_serializer(*args, **kwargs)


class WinnersView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="The winners of an edition (empty until the results are published)",
        responses={200: WinnerSerializer(many=True), **errors(404)},
    )
    def get(self, request, slug: str):
        edition = get_object_or_404(Edition, slug=slug)
        awards = public_awards(edition)
        public = {e.pk: e for e in public_entries(edition).filter(pk__in=list(awards))}
        context = {
            "request": request,
            "awards": set(awards),
            "nominees": public_nominee_ids(edition),
        }
        rows = [
            {
                "category": award.category,
                "entry": public.get(entry_id),
                "motivation": award.motivation if entry_id in public else None,
            }
            for entry_id, award in sorted(
                awards.items(), key=lambda i: (i[1].category.position, i[1].category_id, i[0])
            )
        ]
        return Response(WinnerSerializer(rows, many=True, context=context).data)


# --- Organisers: winners and the announcement ---------------------------------------------------


class IsOrganiser(permissions.BasePermission):
    """Organisers only; everyone else gets 404 (they may not know the resource exists)."""

    def has_permission(self, request, view):
        if request.user.is_authenticated and not request.user.is_organiser:
            raise Http404
        return request.user.is_authenticated


class AwardFilter(FilterSet):
    edition = django_filters.CharFilter(field_name="entry__edition__slug")
    category = django_filters.CharFilter(field_name="category__slug")

    class Meta:
        model = Award
        fields = ["edition", "category"]


@extend_schema_view(
    list=extend_schema(summary="Winners recorded so far, private or published (organisers)"),
    retrieve=extend_schema(
        summary="One recorded winner (organisers)", responses={200: AwardSerializer, **errors(404)}
    ),
    create=extend_schema(
        summary="Record a winner with the jury's motivation (organisers)",
        responses={201: AwardSerializer, **errors(400, 415)},
    ),
    partial_update=extend_schema(
        summary="Change the jury's motivation (organisers)",
        request=MotivationSerializer,
        responses={200: AwardSerializer, **errors(400, 404, 415)},
    ),
    destroy=extend_schema(
        summary="Remove a winner before publication (organisers)",
        responses={204: None, **errors(400, 404)},
    ),
)
class AwardViewSet(
    mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    serializer_class = AwardSerializer
    permission_classes = [IsOrganiser]
    filterset_class = AwardFilter
    ordering_fields = ["created_at", "entry__number"]
    ordering = ["entry__number"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return Award.objects.select_related("category", "entry__edition")

    def perform_create(self, serializer):
        serializer.instance = decisions.record_award(
            entry=serializer.validated_data["entry"],
            motivation=serializer.validated_data["motivation"],
            actor=organiser(self.request.user),
        )

    def partial_update(self, request, *args, **kwargs):
        award = self.get_object()
        data = MotivationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        award = decisions.change_motivation(
            award=award, motivation=data.validated_data["motivation"], actor=request.user
        )
        return Response(AwardSerializer(award).data)

    def perform_destroy(self, instance):
        decisions.remove_award(award=instance, actor=self.request.user)


class ResultsView(APIView):
    """The announcement of an edition: its state, scheduling and publishing (organisers)."""

    permission_classes = [IsOrganiser]

    def _edition(self, slug: str) -> Edition:
        return get_object_or_404(Edition, slug=slug)

    @extend_schema(
        summary="The state of an edition's results (organisers)",
        responses={200: ResultsSerializer, **errors(404)},
    )
    def get(self, request, slug: str):
        return Response(ResultsSerializer(self._edition(slug)).data)


class _ResultsAction(ResultsView):
    http_method_names = ["post", "options"]  # an action; the state is GET .../results/

    def post(self, request, slug: str):
        edition = self.act(request, self._edition(slug))
        return Response(ResultsSerializer(edition).data)

    def act(self, request: Request, edition: Edition) -> Edition:
        raise NotImplementedError  # each action says what it does


class PublishResults(_ResultsAction):
    @extend_schema(
        summary="Publish the results now: pages, API and e-mails (organisers)",
        request=None,
        responses={200: ResultsSerializer, **errors(404, 409)},
    )
    def post(self, request, slug: str):
        return super().post(request, slug)

    def act(self, request, edition):
        return decisions.publish_results(edition=edition, actor=request.user)


class ScheduleResults(_ResultsAction):
    @extend_schema(
        summary="Publish the results automatically at a moment (organisers)",
        request=ScheduleSerializer,
        responses={200: ResultsSerializer, **errors(400, 404, 409, 415)},
    )
    def post(self, request, slug: str):
        return super().post(request, slug)

    def act(self, request, edition):
        data = ScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return decisions.schedule_results(
            edition=edition, at=data.validated_data["at"], actor=request.user
        )


class CancelSchedule(_ResultsAction):
    @extend_schema(
        summary="Cancel the planned publication (organisers)",
        request=None,
        responses={200: ResultsSerializer, **errors(404, 409)},
    )
    def post(self, request, slug: str):
        return super().post(request, slug)

    def act(self, request, edition):
        return decisions.cancel_schedule(edition=edition, actor=request.user)


class FeedbackSetting(_ResultsAction):
    @extend_schema(
        summary="Whether entrants who did not win get feedback (organisers)",
        request=FeedbackSettingSerializer,
        responses={200: ResultsSerializer, **errors(400, 404, 415)},
    )
    def post(self, request, slug: str):
        return super().post(request, slug)

    def act(self, request, edition):
        data = FeedbackSettingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return decisions.set_share_feedback(
            edition=edition, actor=request.user, value=data.validated_data["share_feedback"]
        )
