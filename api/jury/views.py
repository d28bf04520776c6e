"""The jury API: rounds with their rubric, the juror's assignments, reviews and conflicts, and
the organisers' round actions (conflicts, ranking, certificate, close, exports).

The same selectors decide who sees what as on the pages (hidden objects answer 404, never 403)
and every write goes through the same services. Authentication, token scopes, throttles,
pagination and the filter backends come from the REST_FRAMEWORK defaults."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from contextlib import contextmanager

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from api.jury import serializers as s
from api.jury import setup
from api.jury.filters import AssignmentFilter, ConflictFilter, RoundFilter
from common.api import errors
from common.http import require_organiser
from common.models import User
from jury import certificates, lifecycle, selectors, services
from jury.compute.rankings import METHODS
from jury.models import Assignment, Conflict, ResultSnapshot, Review, Round
from jury.reports import edition as edition_export
from jury.reports import rounds as exports
from jury.review_input import ReviewWriteSerializer, review_input
from jury.services import JuryError
from media_pipeline.selectors import playback
from prijzen.models import Edition


class StaleVersion(exceptions.APIException):
    """The review changed since the client read it (another window, tab or script)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "stale"


# --- Rounds -----------------------------------------------------------------------------------


class ExportNegotiation(DefaultContentNegotiation):
    """`?format=` names the file type of an export, not a renderer: the answer is a file, and
    errors stay JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


FILE_TYPES = {"csv": "text/csv", "xlsx": exports.XLSX_CONTENT_TYPE}


@extend_schema_view(
    list=extend_schema(
        summary="Rounds you may see, with their rubric",
        description="A jury member sees the rounds of their active memberships (invitation "
        "and confidentiality terms accepted); organisers see every round; others none.",
    ),
    retrieve=extend_schema(
        summary="One round with its rubric", responses={200: s.RoundSerializer, **errors(404)}
    ),
)
class RoundViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = r"[0-9]+"
    serializer_class = s.RoundSerializer
    filterset_class = RoundFilter
    ordering_fields = ["opens_at", "closes_at", "name", "id"]

    def get_queryset(self):
        return selectors.rounds_for(self.request.user)

    @setup.ROUND_CREATE
    def create(self, request):
        return setup.save_round(request, None)

    @setup.ROUND_UPDATE
    def partial_update(self, request, pk=None):
        return setup.save_round(request, selectors.organiser_round(request.user, pk))

    @extend_schema(
        summary="The round's ranking: every method side by side (organisers)",
        description="The official order with the scores and ranks of every method, the "
        "spread, bootstrap rank intervals, ties, Krippendorff's alpha and each jury member's "
        "leniency, as the ranking page shows them. Empty without submitted reviews.",
        responses={200: s.RankingSerializer, **errors(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def ranking(self, request, pk=None):
        round_ = selectors.organiser_round(request.user, pk)
        return Response(s.RankingSerializer(_ranking_data(round_)).data)

    @extend_schema(
        summary="The latest results certificate of the round (organisers)",
        responses={200: s.CertificateSerializer, **errors(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def certificate(self, request, pk=None):
        round_ = selectors.organiser_round(request.user, pk)
        snapshot = (
            ResultSnapshot.objects.select_related("round__edition").filter(round=round_).first()
        )
        if snapshot is None:
            raise exceptions.NotFound(_("Not found."))
        return Response(certificates.certificate_data(snapshot))

    @extend_schema(
        summary="Open the round for scoring (organisers)",
        description="Possible for a round in preparation when nothing is missing: a rubric "
        "with weight, the round it follows closed, entries, enough accepted jury members and "
        "an assignment that gives every entry as many of them as the round asks. Otherwise "
        "400 (`not_ready`) with everything that is missing in the message; 409 when the round "
        "is not in preparation. Jury members score from `opens_at`.",
        request=None,
        responses={200: s.RoundSerializer, **errors(400, 404, 409)},
    )
    @action(
        detail=True, methods=["post"], url_path="open", pagination_class=None, filter_backends=[]
    )
    def open_(self, request, pk=None):
        round_ = selectors.organiser_round(request.user, pk)
        opened = lifecycle.open_round(round_=round_, actor=request.user)
        return Response(s.RoundSerializer(opened).data)

    @extend_schema(
        summary="Find conflicts of interest from the jury members' ties (organisers)",
        description="As the button on the round page: compares every jury member's recorded "
        "ties with the round's entries (the round's place rule) and records the new ones.",
        request=None,
        responses={200: s.CountSerializer, **errors(404)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="find-conflicts",
        pagination_class=None,
        filter_backends=[],
    )
    def find_conflicts(self, request, pk=None):
        round_ = selectors.organiser_round(request.user, pk)
        return Response({"count": services.detect_conflicts(round_=round_)})

    @extend_schema(
        summary="E-mail a reminder to jury members with open work (organisers)",
        request=None,
        responses={200: s.CountSerializer, **errors(404)},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def remind(self, request, pk=None):
        round_ = selectors.organiser_round(request.user, pk)
        return Response({"count": services.send_reminders(round_=round_)})

    @extend_schema(
        summary="Reopen a closed round, with a reason (organisers)",
        description="Not when the edition's results are published or scheduled, or a round "
        "that follows it has started (400). A new `closes_at` is needed when the deadline "
        "has passed. The round makes a new certificate when it closes again.",
        request=s.ReopenSerializer,
        responses={200: s.RoundSerializer, **errors(400, 404, 409, 415)},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def reopen(self, request, pk=None):
        round_ = selectors.organiser_round(request.user, pk)
        data = s.ReopenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reopened = lifecycle.reopen_round(round_=round_, actor=request.user, **data.validated_data)
        return Response(s.RoundSerializer(reopened).data)

    @extend_schema(
        summary="Close the round and freeze its results certificate (organisers)",
        request=None,
        responses={201: s.CertificateSerializer, **errors(404, 409)},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def close(self, request, pk=None):
        round_ = selectors.organiser_round(request.user, pk)
        snapshot = certificates.close_round(round_=round_, actor=request.user)
        snapshot.round = round_
        return Response(s.CertificateSerializer(snapshot).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download an export of the round as CSV or XLSX (organisers)",
        parameters=[
            OpenApiParameter(
                "kind",
                str,
                OpenApiParameter.PATH,
                enum=list(exports.EXPORTS),
                description="inzendingen (entries), beoordelingen (reviews), "
                "rangschikking (ranking) or voortgang (jury progress).",
            ),
            OpenApiParameter(
                "format",
                str,
                OpenApiParameter.QUERY,
                enum=list(FILE_TYPES),
                default="csv",
                description="The file type.",
            ),
        ],
        responses={
            (200, FILE_TYPES["csv"]): OpenApiResponse(OpenApiTypes.BINARY),
            (200, FILE_TYPES["xlsx"]): OpenApiResponse(OpenApiTypes.BINARY),
            **errors(400, 404),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"exports/(?P<kind>[a-z]+)",
        pagination_class=None,
        filter_backends=[],
        content_negotiation_class=ExportNegotiation,
    )
    def exports(self, request, pk=None, kind=None):
        round_ = selectors.organiser_round(request.user, pk)
        table_of = exports.EXPORTS.get(kind)
        if table_of is None:
            raise exceptions.NotFound(_("Not found."))
        file_type = request.query_params.get("format", "csv")
        if file_type not in exports.WRITERS:
            raise exceptions.ValidationError({"format": [_("Choose csv or xlsx.")]})
        write, content_type = exports.WRITERS[file_type]
        table = table_of(round_)
        response = HttpResponse(write(table), content_type=content_type)
        name = f"{table.title}-ronde-{round_.pk}.{file_type}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def _ranking_data(round_: Round) -> dict:
    """The ranking report as plain data, with entries and jury members by name."""
    report = exports.compute_report(round_)
    data = {
        "round": round_.pk,
        "method": round_.official_method,
        "methods": s.method_labels(),
        "rows": [],
        "ties": [],
        "agreement": None,
        "leniency": None,
        "notes": [],
    }
    if report is None:
        return data
    entries = {e["id"]: e for e in services.round_entries(round_).values("id", "number", "title")}
    leniency = report.leniency
    juror_ids = [j.juror_id for j in leniency.jurors] if leniency else []
    people: dict[Hashable, Mapping[str, object]] = {
        p["id"]: p for p in User.objects.filter(pk__in=juror_ids).values("id", "email", "name")
    }

    def entry(pk) -> dict:
        return entries.get(pk, {"id": pk, "number": None, "title": ""})

    data["rows"] = [
        {
            "rank": row.rank,
            "entry": entry(row.entry_id),
            "score": row.score,
            "reviews": row.spread.reviews,
            "sd": row.spread.sd,
            "range": row.spread.range,
            "scores": {m: row.scores.get(m) for m in METHODS if m in row.scores},
            "ranks": {m: row.ranks[m] for m in METHODS if m in row.ranks},
            "rank_spread": row.rank_spread,
            "moved": row.moved,
            "interval": vars(row.interval) if row.interval else None,
        }
        for row in report.entries
    ]
    data["ties"] = [
        {
            "score": t.score,
            "entries": list(t.entries),
            "order": [list(p) for p in t.order],
            "broken_by": list(t.broken_by),
            "needs_decision": t.needs_decision,
            "text": t.text,
        }
        for t in report.official.ties
    ]
    if report.agreement:
        data["agreement"] = {
            "overall": vars(report.agreement.overall),
            "per_criterion": [
                {**vars(a), "criterion": c} for c, a in report.agreement.per_criterion.items()
            ],
        }
    if leniency:
        data["leniency"] = {
            "panel_mean": leniency.panel_mean,
            "panel_sd": leniency.panel_sd,
            "jurors": [
                {
                    **vars(j),
                    "juror": people.get(j.juror_id, {"id": j.juror_id, "email": "", "name": ""}),
                }
                for j in leniency.jurors
            ],
        }
    data["notes"] = [
        {"code": n.code, "text": n.text, "subjects": list(n.subjects)} for n in report.notes
    ]
    return data


class EditionExport(APIView):
    """The edition's whole workbook, as the edition page's "Alles downloaden" (organisers)."""

    content_negotiation_class = ExportNegotiation

    @extend_schema(
        summary="Everything of an edition as one XLSX workbook (organisers)",
        description="The entries in every state, initiatives with contact details, consents "
        "with the version of their wording, rounds, reviews, scores, conflicts of interest, "
        "shortlists, winners and the audit log; Dutch column names, Amsterdam time.",
        responses={
            (200, FILE_TYPES["xlsx"]): OpenApiResponse(OpenApiTypes.BINARY),
            **errors(404),
        },
    )
    def get(self, request, slug: str):
        require_organiser(request.user)
        return edition_export.workbook_response(get_object_or_404(Edition, slug=slug))


class EditionExportSheet(APIView):
    content_negotiation_class = ExportNegotiation

    @extend_schema(
        operation_id="editions_export_sheet_retrieve",
        summary="One sheet of the edition's workbook as CSV (organisers)",
        description="Semicolons and decimal commas, as Dutch spreadsheets read it; produced "
        "while it is sent, so memory stays flat for any number of entries.",
        parameters=[
            OpenApiParameter(
                "sheet",
                str,
                OpenApiParameter.PATH,
                enum=list(edition_export.BY_NAME),
                description="The sheet's (Dutch) name.",
            ),
        ],
        responses={
            (200, FILE_TYPES["csv"]): OpenApiResponse(OpenApiTypes.BINARY),
            **errors(404),
        },
    )
    def get(self, request, slug: str, sheet: str):
        require_organiser(request.user)
        edition = get_object_or_404(Edition, slug=slug)
        spec = edition_export.BY_NAME.get(sheet)
        if spec is None:
            raise exceptions.NotFound(_("Not found."))
        return edition_export.sheet_response(edition, spec)


@extend_schema(
    summary="The round's conflicts of interest (organisers)",
    description="Declared and detected conflicts, active and dismissed, newest first.",
    responses={200: s.OrganiserConflictSerializer(many=True), **errors(404)},
)
class RoundConflictList(generics.ListAPIView):
    serializer_class = s.OrganiserConflictSerializer
    filterset_class = ConflictFilter
    ordering_fields = ["created_at", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Conflict.objects.none()
        return selectors.conflicts_of_round(
            selectors.organiser_round(self.request.user, self.kwargs["pk"])
        )


class DismissConflict(APIView):
    @extend_schema(
        summary="Dismiss a conflict found from ties, with a reason (organisers)",
        description="Only detected conflicts can be dismissed; a declared one gives 400 "
        "(code `declared`).",
        request=s.ReasonSerializer,
        responses={200: s.OrganiserConflictSerializer, **errors(400, 404)},
    )
    def post(self, request, pk: int):
        require_organiser(request.user)
        conflict = get_object_or_404(Conflict, pk=pk)
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.dismiss_conflict(
            conflict=conflict, reason=data.validated_data["reason"], actor=request.user
        )
        conflict = selectors.conflicts_of_round(conflict.round).get(pk=pk)
        return Response(s.OrganiserConflictSerializer(conflict).data)


class DecideConflictedReview(APIView):
    @extend_schema(
        summary="Decide whether a review submitted before a conflict counts (organisers)",
        description="A juror's submitted review of an entry they have a conflict with does not "
        "count in the ranking until an organiser keeps it, with a reason (audited). A review "
        "of the juror's own entry never counts (400, code `own_entry`).",
        request=s.ReviewDecisionSerializer,
        responses={200: s.OrganiserConflictSerializer, **errors(400, 404)},
    )
    def post(self, request, pk: int):
        require_organiser(request.user)
        conflict = get_object_or_404(Conflict, pk=pk)
        data = s.ReviewDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.decide_conflicted_review(
            conflict=conflict, actor=request.user, **data.validated_data
        )
        conflict = selectors.conflicts_of_round(conflict.round).get(pk=pk)
        return Response(s.OrganiserConflictSerializer(conflict).data)


# --- Assignments and reviews ------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Your assignments",
        description="The entries given to you in rounds where you are an active jury member, "
        "without those you have a conflict of interest with.",
    ),
    retrieve=extend_schema(
        summary="One of your assignments, with the entry and its vlog",
        responses={200: s.AssignmentDetailSerializer, **errors(404)},
    ),
)
class AssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = r"[0-9]+"
    filterset_class = AssignmentFilter
    ordering_fields = ["id", "entry__number", "round__closes_at"]

    def get_queryset(self):
        return selectors.assignments_for(self.request.user)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.AssignmentDetailSerializer
        return s.AssignmentSerializer

    def retrieve(self, request, *args, **kwargs):
        assignment = self.get_object()
        context = {**self.get_serializer_context(), "playback": playback(assignment.entry.vlog)}
        return Response(s.AssignmentDetailSerializer(assignment, context=context).data)

    def _review_response(self, assignment: Assignment, review: Review, **kwargs) -> Response:
        others = services.others_shown(assignment=assignment, review=review)
        return Response(s.ReviewSerializer(review, context={"others": others}).data, **kwargs)

    @extend_schema(
        summary="Your review of the assignment",
        description="Before the first save this is an empty draft with version 1. "
        "`other_totals` follows the round's score_visibility. Reading a stored review (or "
        "the first save) starts the clock: a `watched_seconds` you send is capped at the "
        "time since then.",
        responses={200: s.ReviewSerializer, **errors(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def review(self, request, pk=None):
        assignment = self.get_object()
        review = getattr(assignment, "review", None)
        if review is None:  # nothing stored yet: the first save starts the clock
            review = Review(assignment=assignment)
        return self._review_response(assignment, services.mark_opened(review))

    @extend_schema(
        summary="The vlog is playing (a heartbeat)",
        description="Send this every 10 seconds while you play the vlog. The server adds the "
        "time since your previous heartbeat (at most 15 s; after more than 30 s of silence "
        "a new stretch starts and nothing is added) to `heard_seconds`, which the watch "
        "minimum counts; `watched_seconds` does not. A closed round answers 400 (`closed`), "
        "a submitted review 400 (`submitted`).",
        request=None,
        responses={200: s.ReviewSerializer, **errors(400, 404)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="review/heartbeat",
        pagination_class=None,
        filter_backends=[],
    )
    def review_heartbeat(self, request, pk=None):
        assignment = self.get_object()
        review = services.review_for(assignment=assignment, user=request.user)
        review = services.heartbeat(review=review, user=request.user)
        return self._review_response(assignment, review)

    @extend_schema(
        summary="Save your review as a draft (the whole form)",
        description="Same checks as the scoring page: each score within the criterion's "
        "scale and on its step. `version` must be the one you read: an older one answers 409 "
        "(code `stale`) and saves nothing. A submitted review can be changed while the round "
        "is open, as on the page: it stays submitted and its weighted total is recomputed. "
        "A closed round answers 400 (code `closed`).",
        request=ReviewWriteSerializer,
        responses={200: s.ReviewSerializer, **errors(400, 404, 409)},
    )
    @review.mapping.put
    def put_review(self, request, pk=None):
        return self._save(request, partial=False)

    @extend_schema(
        summary="Save part of your review as a draft",
        description="As PUT, but only the fields sent (and always `version`).",
        request=ReviewWriteSerializer,
        responses={200: s.ReviewSerializer, **errors(400, 404, 409)},
    )
    @review.mapping.patch
    def patch_review(self, request, pk=None):
        return self._save(request, partial=True)

    def _save(self, request, *, partial: bool) -> Response:
        assignment = self.get_object()
        version, data = review_input(request.data, round_=assignment.round, partial=partial)
        review = services.review_for(assignment=assignment, user=request.user)
        with _stale_is_409():
            review = services.save_review(
                review=review, user=request.user, version=version, data=data
            )
        return self._review_response(assignment, review)

    @extend_schema(
        summary="Submit your review",
        description="Checks that every required criterion has a score and, when the round "
        "asks for it, that enough of the vlog was played as measured by heartbeats "
        "(`heard_seconds`; 400 with the code `watch_more`). An older "
        "`version` answers 409 (`stale`); an already submitted review 409 "
        "(`invalid_transition`).",
        request=s.VersionSerializer,
        responses={200: s.ReviewSerializer, **errors(400, 404, 409)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="review/submit",
        pagination_class=None,
        filter_backends=[],
    )
    def submit_review(self, request, pk=None):
        assignment = self.get_object()
        body = s.VersionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = services.review_for(assignment=assignment, user=request.user)
        with _stale_is_409():
            review = services.submit_review(
                review=review, user=request.user, version=body.validated_data["version"]
            )
        return self._review_response(assignment, review)

    @extend_schema(
        summary="Reopen your submitted review as a draft",
        description="Possible while the round is open (400, code `closed`, after). A draft "
        "answers 409 (`invalid_transition`).",
        request=None,
        responses={200: s.ReviewSerializer, **errors(400, 404, 409)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="review/reopen",
        pagination_class=None,
        filter_backends=[],
    )
    def reopen_review(self, request, pk=None):
        assignment = self.get_object()
        review = services.review_for(assignment=assignment, user=request.user)
        review = services.reopen_review(review=review, user=request.user)
        return self._review_response(assignment, review)

    @extend_schema(
        summary="Declare a conflict of interest with the entry",
        description="The assignment leaves your list at once (an unsubmitted one is removed; "
        "a submitted review stays for the organisers to decide). Afterwards the assignment "
        "answers 404.",
        request=s.ReasonSerializer,
        responses={201: s.ConflictSerializer, **errors(400, 404)},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def conflict(self, request, pk=None):
        assignment = self.get_object()
        body = s.ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        conflict = services.declare_conflict(
            round_=assignment.round,
            entry=assignment.entry,
            user=request.user,
            reason=body.validated_data["reason"],
        )
        return Response(s.ConflictSerializer(conflict).data, status=status.HTTP_201_CREATED)


@contextmanager
def _stale_is_409():
    """The services' version check (JuryError code "stale") answers 409, not 400."""
    try:
        yield
    except JuryError as error:
        if error.code == "stale":
            raise StaleVersion(error.message, code="stale") from error
        raise
