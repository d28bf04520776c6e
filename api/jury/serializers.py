"""Shapes of the jury API. Every state field is read-only: states change through the explicit
actions (submit, reopen, close, dismiss), never by writing a field."""

from __future__ import annotations

from typing import cast

from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jury.compute.rankings.common import METHOD_LABELS, METHODS
from jury.models import Assignment, Conflict, Criterion, Review, Round
from jury.review_input import NoteSerializer
from prijzen.models import Category, Edition


def _decimal(**kwargs) -> serializers.DecimalField:
    """A computed decimal (a score, a mean): a string, read-only, at full precision."""
    return serializers.DecimalField(
        max_digits=None, decimal_places=None, read_only=True, allow_null=True, **kwargs
    )


# --- Rounds and their rubric ----------------------------------------------------------------


class CriterionSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(help_text="The name in the request's language.")
    anchors = serializers.DictField(
        child=serializers.CharField(),
        help_text="What a score means, by level (the level as a string).",
    )

    class Meta:
        model = Criterion
        fields = [
            "id",
            "position",
            "name",
            "name_nl",
            "name_en",
            "description",
            "weight",
            "scale_min",
            "scale_max",
            "step",
            "anchors",
            "required",
            "counted",
        ]
        read_only_fields = fields

    def get_name(self, criterion: Criterion) -> str:
        return criterion.name_en if get_language() == "en" else criterion.name_nl


class RoundSerializer(serializers.ModelSerializer):
    edition: serializers.SlugRelatedField[Edition] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    edition_name = serializers.CharField(source="edition.name", read_only=True)
    category: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = Round
        fields = [
            "id",
            "edition",
            "edition_name",
            "category",
            "kind",
            "name",
            "state",
            "opens_at",
            "closes_at",
            "jurors_per_entry",
            "score_visibility",
            "hide_entrant_names",
            "min_watch_share",
            "official_method",
            "criteria",
        ]
        read_only_fields = fields


# --- Assignments ------------------------------------------------------------------------------


class EntrantSerializer(serializers.Serializer):
    """Who entered: absent (null) when the round hides the names of entrants."""

    name = serializers.CharField()
    municipality = serializers.CharField()
    province = serializers.CharField()


class AssignedEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    summary = serializers.CharField()
    answer = serializers.CharField()
    question = serializers.SerializerMethodField(help_text="The edition's question.")
    category = serializers.CharField(source="category.name")
    entrant = serializers.SerializerMethodField()

    def get_question(self, entry) -> str:
        return self.context["round"].edition.question

    @extend_schema_field(EntrantSerializer(allow_null=True))
    def get_entrant(self, entry) -> dict | None:
        if self.context["hide_entrant_names"]:
            return None
        return EntrantSerializer(entry.initiative).data


class PlaybackSerializer(serializers.Serializer):
    """Presigned URLs of the web preview and its poster; they expire after a while."""

    src = serializers.URLField()
    poster = serializers.CharField(help_text="Empty when there is no poster.")
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    duration = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    has_storyboard = serializers.BooleanField()


class AssignmentSerializer(serializers.ModelSerializer):
    round_name = serializers.CharField(source="round.name", read_only=True)
    closes_at = serializers.DateTimeField(source="round.closes_at", read_only=True)
    entry = serializers.SerializerMethodField()
    review_state = serializers.SerializerMethodField(
        help_text="not_started, draft or submitted (read-only: use the review actions)."
    )

    class Meta:
        model = Assignment
        fields = ["id", "round", "round_name", "closes_at", "entry", "review_state"]
        read_only_fields = fields

    @extend_schema_field(AssignedEntrySerializer)
    def get_entry(self, assignment: Assignment) -> dict:
        round_ = assignment.round
        context = {**self.context, "round": round_, "hide_entrant_names": round_.hide_entrant_names}
        return AssignedEntrySerializer(assignment.entry, context=context).data

    # A plain string in the schema: an enum here would take the name of Review.state's enum.
    @extend_schema_field({"type": "string", "example": "not_started"})
    def get_review_state(self, assignment: Assignment) -> str:
        review = getattr(assignment, "review", None)
        return review.state if review is not None else "not_started"


class AssignmentDetailSerializer(AssignmentSerializer):
    vlog = serializers.SerializerMethodField()

    class Meta(AssignmentSerializer.Meta):
        fields = [*AssignmentSerializer.Meta.fields, "vlog"]
        read_only_fields = fields

    @extend_schema_field(PlaybackSerializer(allow_null=True))
    def get_vlog(self, assignment: Assignment) -> dict | None:
        found = self.context["playback"]
        return None if found is None else PlaybackSerializer(found).data


# --- Reviews ----------------------------------------------------------------------------------


class ReviewSerializer(serializers.ModelSerializer):
    scores = serializers.DictField(
        child=serializers.CharField(), help_text="Score per criterion id, as a decimal string."
    )
    comments = serializers.DictField(child=serializers.CharField())
    notes = NoteSerializer(many=True)
    other_totals = serializers.SerializerMethodField(
        help_text="The weighted totals of the other jury members' submitted reviews, when "
        "the round's score_visibility allows it now; null when it does not."
    )

    class Meta:
        model = Review
        fields = [
            "state",
            "version",
            "scores",
            "comments",
            "overall_comment",
            "notes",
            "watched_seconds",
            "heard_seconds",
            "weighted_total",
            "submitted_at",
            "other_totals",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "watched_seconds": {
                "help_text": "What your client reported as watched, capped "
                "at the time since you first read the review."
            },
            "heard_seconds": {
                "help_text": "Seconds of playback measured by the server from "
                "heartbeats: the watch minimum counts this."
            },
        }

    @extend_schema_field(
        serializers.ListField(
            child=serializers.DecimalField(max_digits=8, decimal_places=3), allow_null=True
        )
    )
    def get_other_totals(self, review: Review) -> list | None:
        others = self.context["others"]
        return None if others is None else [str(r.weighted_total) for r in others]


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The version you last read; an older one gives 409."
    )


# --- Conflicts of interest --------------------------------------------------------------------


class ReasonSerializer(serializers.Serializer):
    # The column's length (jury.services.written_reason checks it for the pages too).
    reason = serializers.CharField(
        max_length=cast(int, Conflict._meta.get_field("reason").max_length)  # it has one
    )


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many (conflicts found, reminders sent).")


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=1000, help_text="Why the round opens again (kept in the audit log)."
    )
    closes_at = serializers.DateTimeField(
        required=False, help_text="A new deadline; needed when the old one has passed."
    )


class ReviewDecisionSerializer(ReasonSerializer):
    keep = serializers.BooleanField(help_text="true: the review counts; false: it does not.")


class ConflictSerializer(serializers.ModelSerializer):
    """A conflict as the juror who declared it sees it."""

    class Meta:
        model = Conflict
        fields = ["id", "round", "entry", "source", "reason", "created_at"]
        read_only_fields = fields


class EntryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()


class OrganiserConflictSerializer(serializers.ModelSerializer):
    """A conflict as organisers see it, with who dismissed it and why."""

    entry = EntryRefSerializer(read_only=True)
    juror = PersonSerializer(source="user", read_only=True)
    dismissed_by = serializers.EmailField(
        source="dismissed_by.email", read_only=True, allow_null=True, default=None
    )
    active = serializers.SerializerMethodField()
    submitted_review = serializers.BooleanField(
        read_only=True,
        help_text="The juror had submitted a review of the entry; it counts in "
        "the ranking only when `review_kept` is true (an organiser's decision).",
    )

    class Meta:
        model = Conflict
        fields = [
            "id",
            "round",
            "entry",
            "juror",
            "source",
            "reason",
            "active",
            "created_at",
            "dismissed_at",
            "dismissed_by",
            "dismissal_reason",
            "submitted_review",
            "review_kept",
            "review_decision_reason",
        ]
        read_only_fields = fields

    def get_active(self, conflict: Conflict) -> bool:
        return conflict.dismissed_at is None


# --- Ranking and certificate ------------------------------------------------------------------


class IntervalSerializer(serializers.Serializer):
    lower = serializers.IntegerField()
    upper = serializers.IntegerField()
    coverage = serializers.DecimalField(max_digits=4, decimal_places=2)
    text = serializers.CharField()


class RankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    entry = EntryRefSerializer()
    score = _decimal(help_text="The official method's score.")
    reviews = serializers.IntegerField()
    sd = _decimal(help_text="Standard deviation of the weighted totals.")
    range = _decimal(help_text="Highest minus lowest weighted total.")
    scores = serializers.DictField(child=_decimal(), help_text="Score per method.")
    ranks = serializers.DictField(child=serializers.IntegerField(), help_text="Rank per method.")
    rank_spread = serializers.IntegerField()
    moved = serializers.BooleanField(help_text="Ranks across methods differ by more than 3.")
    interval = IntervalSerializer(allow_null=True, help_text="Bootstrap rank interval.")


class TieSerializer(serializers.Serializer):
    score = _decimal()
    entries = serializers.ListField(child=serializers.IntegerField())
    order = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))
    broken_by = serializers.ListField(child=serializers.CharField())
    needs_decision = serializers.BooleanField()
    text = serializers.CharField()


class AlphaSerializer(serializers.Serializer):
    alpha = _decimal(help_text="Krippendorff's alpha; null when it cannot be computed.")
    code = serializers.CharField()
    text = serializers.CharField()
    explanation = serializers.CharField()
    units = serializers.IntegerField()
    values = serializers.IntegerField()


class CriterionAlphaSerializer(AlphaSerializer):
    criterion = serializers.IntegerField()


class AgreementSerializer(serializers.Serializer):
    overall = AlphaSerializer()
    per_criterion = CriterionAlphaSerializer(many=True)


class JurorLeniencySerializer(serializers.Serializer):
    juror = PersonSerializer()
    reviews = serializers.IntegerField()
    mean = _decimal()
    sd = _decimal()
    mean_difference = _decimal(help_text="Mean minus the other jurors' mean on the same entries.")
    spread_ratio = _decimal()
    offset = _decimal(help_text="The juror effect in the additive model.")


class LeniencySerializer(serializers.Serializer):
    panel_mean = _decimal()
    panel_sd = _decimal()
    jurors = JurorLeniencySerializer(many=True)


class NoteOutSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    subjects = serializers.ListField(child=serializers.JSONField())


class RankingSerializer(serializers.Serializer):
    """What the organisers' ranking page shows. Empty rows without submitted reviews."""

    round = serializers.IntegerField()
    method = serializers.CharField(help_text="The official method (one of `methods`).")
    methods = serializers.DictField(
        child=serializers.CharField(), help_text="Every method with its label."
    )
    rows = RankingRowSerializer(many=True, help_text="The official order.")
    ties = TieSerializer(many=True)
    agreement = AgreementSerializer(allow_null=True)
    leniency = LeniencySerializer(allow_null=True)
    notes = NoteOutSerializer(many=True)


def method_labels() -> dict[str, str]:
    return {m: str(METHOD_LABELS[m]) for m in METHODS}


class CertificateSerializer(serializers.Serializer):
    """The results certificate frozen when the round closed (as the JSON download)."""

    round = serializers.IntegerField(source="round_id")
    round_name = serializers.CharField(source="round.name")
    edition = serializers.CharField(source="round.edition.name")
    made_at = serializers.DateTimeField(source="created_at")
    method = serializers.CharField()
    parameters = serializers.JSONField()
    software_version = serializers.CharField()
    input_sha256 = serializers.CharField()
    inputs = serializers.JSONField(
        help_text="[entry, juror, weighted total, [[criterion, score], ...]] per submitted review."
    )
    ranking = serializers.JSONField(help_text="[entry, rank, score] in the official order.")
