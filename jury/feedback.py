"""What an entrant who did not win may hear about the jury's view, when the organiser shares
it: the mean score per criterion and the jury's remarks, without names."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from jury import selectors


@dataclass(frozen=True)
class CriterionFeedback:
    name: str
    mean: Decimal
    scale_max: int


@dataclass(frozen=True)
class Feedback:
    criteria: list[CriterionFeedback]
    remarks: list[str]


def feedback_for(entry) -> Feedback | None:
    """Feedback from the last round that reviewed ``entry`` (the reviews that count:
    ``selectors.counted_reviews``); None when there is none. Remarks are sorted by their
    text, so their order says nothing about who wrote them."""
    reviews = list(
        selectors.counted_reviews()
        .filter(assignment__entry=entry)
        .select_related("assignment__round")
        .order_by("-assignment__round__opens_at", "pk")
    )
    if not reviews:
        return None
    round_ = reviews[0].assignment.round
    reviews = [r for r in reviews if r.assignment.round_id == round_.pk]
    criteria = []
    for criterion in round_.criteria.filter(counted=True).order_by("position"):
        values = [
            Decimal(r.scores[str(criterion.pk)]) for r in reviews if str(criterion.pk) in r.scores
        ]
        if values:
            mean = (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)
            criteria.append(CriterionFeedback(criterion.name_nl, mean, criterion.scale_max))
    remarks = sorted(
        text.strip()
        for r in reviews
        for text in [r.overall_comment, *r.comments.values()]
        if isinstance(text, str) and text.strip()
    )
    return Feedback(criteria=criteria, remarks=remarks)
