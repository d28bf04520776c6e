"""What a juror may send to save a review (the limits of every score and text), checked in
one place for the scoring page and the API alike."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from jury.models import Round


class NoteSerializer(serializers.Serializer):
    t = serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=0, help_text="Seconds into the vlog."
    )
    text = serializers.CharField(max_length=300)


class ReviewWriteSerializer(serializers.Serializer):
    """A draft change: PUT sends the whole form, PATCH only what changed (and the version).
    Scores and comments are merged per criterion into what is stored; an empty or null score
    leaves the stored one as it is, as on the scoring page."""

    version = serializers.IntegerField(
        min_value=1, help_text="The version you last read; an older one gives 409."
    )
    scores = serializers.DictField(
        child=serializers.CharField(max_length=20, allow_blank=True, allow_null=True),
        help_text="Score per criterion id: a number within the criterion's scale, on its step.",
    )
    comments = serializers.DictField(
        child=serializers.CharField(max_length=2000, allow_blank=True),
        help_text="Comment per criterion id.",
    )
    overall_comment = serializers.CharField(max_length=5000, allow_blank=True)
    notes = NoteSerializer(many=True, required=False, max_length=200)  # type: ignore[call-arg]  # many=True: for the ListSerializer
    watched_seconds = serializers.DecimalField(
        max_digits=8,
        decimal_places=1,
        min_value=0,
        required=False,
        help_text="Seconds of the vlog watched so far, as your client counts them; stored "
        "at most as the time since you first read the review, and it never goes down. The "
        "watch minimum does not count it (see the heartbeat).",
    )

    def validate_comments(self, comments: dict) -> dict:
        known = {str(pk) for pk in self.context["criteria"]}
        if set(comments) - known:
            raise serializers.ValidationError(_("This criterion is not part of the form."))
        return comments

    def validate_scores(self, scores: dict) -> dict:
        """Only finite, plausible numbers reach the service's scale and step check."""
        for raw in scores.values():
            if raw in (None, ""):
                continue
            try:
                value = Decimal(raw.strip())
            except InvalidOperation:
                raise serializers.ValidationError(_("Fill in a number.")) from None
            if not value.is_finite() or abs(value) >= 10**6:
                raise serializers.ValidationError(_("Fill in a number."))
        return scores

    def validate(self, attrs: dict) -> dict:
        if "version" not in attrs:  # PATCH makes every field optional, but not this one
            raise serializers.ValidationError(
                {"version": [self.fields["version"].error_messages["required"]]}
            )
        return attrs


def review_input(raw: dict, *, round_: Round, partial: bool) -> tuple[int, dict]:
    """The one check of what a juror sends to save a review, for the API and the scoring page
    alike: (version, the data for ``services.save_review``). Raises ValidationError with the
    field's message."""
    criteria = [c.pk for c in round_.criteria.all()]
    body = ReviewWriteSerializer(data=raw, partial=partial, context={"criteria": criteria})
    body.is_valid(raise_exception=True)
    data = dict(body.validated_data)
    version = data.pop("version")
    if "notes" in data:  # stored as the page's player reads them: seconds as a JSON number
        data["notes"] = [{"t": float(n["t"]), "text": n["text"]} for n in data["notes"]]
    return version, data
