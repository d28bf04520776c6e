"""What a jury member may see: only the entries assigned to them, in rounds they accepted,
without a conflict of interest."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import cast

from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404

from common.http import require_organiser
from common.models import AnyUser, User
from jury.compute import rankings
from jury.enums import ReviewState, RoundState, ScoreVisibility
from jury.models import Assignment, Conflict, Criterion, JuryMember, Review, Round
from prijzen.enums import EntryState


def memberships(user: AnyUser) -> QuerySet[JuryMember]:
    """The rounds a juror takes part in (invited, not dropped out), by deadline."""
    if not user.is_authenticated:
        return JuryMember.objects.none()
    return (
        JuryMember.objects.in_jury()
        .filter(user=user)
        .select_related("round__edition", "round__category")
        .order_by("round__closes_at")
    )


@dataclass(frozen=True)
class Progress:
    """A jury's progress: assignments, submitted reviews, drafts and the latest change."""

    assigned: int = 0
    submitted: int = 0
    drafts: int = 0
    last: datetime | None = None

    @property
    def not_started(self) -> int:
        return self.assigned - self.submitted - self.drafts


def progress(*, by: str, **where: object) -> dict[int, Progress]:
    """The one count of jury progress, over the assignments jurors may see
    (``visible_assignments``: an entry withdrawn or in conflict is no work): per juror of a
    round (``by="user_id", round=...``), per round of a juror (``by="round_id", user=...``).
    One query."""
    rows = (
        visible_assignments()
        .filter(**where)
        .order_by()
        .values(by)
        .annotate(
            assigned=Count("pk"),
            submitted=Count("pk", filter=Q(review__state=ReviewState.SUBMITTED)),
            drafts=Count("pk", filter=Q(review__state=ReviewState.DRAFT)),
            last=Max("review__updated_at"),
        )
    )
    return {row.pop(by): Progress(**row) for row in rows}


def conflicted(path: str = "", *, counting: bool = False) -> Q:
    """The one rule of a conflict of interest, for a query of assignments (``path`` leads from
    the queried model to the assignment, e.g. ``"assignment__"`` for reviews): an active
    conflict (declared, or found from ties and not dismissed) or the juror entered the
    initiative themselves. ``counting``: for whether a review counts, where an organiser may
    have kept a review despite a declared or found conflict (never the juror's own entry)."""
    active = Conflict.objects.filter(
        round=OuterRef(f"{path}round"),
        entry=OuterRef(f"{path}entry"),
        user=OuterRef(f"{path}user"),
        dismissed_at__isnull=True,
    )
    if counting:
        active = active.filter(review_kept=False)
    return Q(Exists(active)) | Q(**{f"{path}entry__initiative__owner": F(f"{path}user")})


def in_anonymous_round() -> Q:
    """For a query of entries: the entry may be judged by a round that is open and hides the
    entrants' names (its category or the whole edition; a shortlist round's narrower set is
    not looked at, so this errs on the side of hiding)."""
    running = Round.objects.filter(
        edition=OuterRef("edition"), state=RoundState.OPEN, hide_entrant_names=True
    ).filter(Q(category__isnull=True) | Q(category=OuterRef("category")))
    return Q(Exists(running))


def counted_reviews() -> QuerySet[Review]:
    """The reviews that count in rankings, certificates and feedback: submitted, of an entry
    that is still in (not withdrawn), without a conflict of interest."""
    return (
        Review.objects.filter(state=ReviewState.SUBMITTED)
        .exclude(assignment__entry__state=EntryState.WITHDRAWN)
        .exclude(conflicted("assignment__", counting=True))
    )


def visible_assignments() -> QuerySet[Assignment]:
    """The one rule of what a juror may see: their assignments in rounds where they are an
    active jury member, of entries that are still in (not withdrawn), without a conflict of
    interest."""
    active = JuryMember.objects.active().filter(round=OuterRef("round"), user=OuterRef("user"))
    return (
        Assignment.objects.filter(Exists(active))
        .exclude(entry__state=EntryState.WITHDRAWN)
        .exclude(conflicted())
    )


def open_work(round_: Round) -> QuerySet[Assignment]:
    """What the round's jury still has to do: visible assignments without a submitted
    review."""
    return visible_assignments().filter(round=round_).exclude(review__state=ReviewState.SUBMITTED)


def assignments_for(user: AnyUser) -> QuerySet[Assignment]:
    """The juror's visible assignments: accepted membership, an entry that is still in (not
    withdrawn), no conflict of interest."""
    if not user.is_authenticated:
        return Assignment.objects.none()
    return (
        visible_assignments()
        .filter(user=user)
        .select_related(
            "round__edition", "entry__initiative", "entry__category", "entry__vlog", "review"
        )
        .order_by("round__closes_at", "entry__number", "pk")
    )


def other_reviews(assignment: Assignment, review: Review) -> list[Review] | None:
    """The other jury members' submitted reviews of this entry, when the round's policy lets
    this juror see them (never / after submitting their own / after the round closes); None
    when it does not."""
    round_ = assignment.round
    policy = round_.score_visibility
    allowed = (policy == ScoreVisibility.AFTER_OWN and review.state == ReviewState.SUBMITTED) or (
        policy == ScoreVisibility.AFTER_CLOSE and round_.state == RoundState.CLOSED
    )
    if not allowed:
        return None
    return list(
        counted_reviews()
        .filter(assignment__round=round_, assignment__entry=assignment.entry)
        .exclude(assignment__user=assignment.user)
        .order_by("pk")
    )


def ranking_input(round_: Round) -> tuple[list[rankings.ReviewScores], tuple[int, int]]:
    """The round's submitted reviews as ranking input, and the scale of its total.

    Built for rounds of thousands of reviews: the scores come as JSON text and are parsed in
    one go, and each distinct criterion id and score is converted to int / Decimal once.
    """
    counted = [c for c in round_.criteria.all() if c.counted]
    scale = (
        (min(c.scale_min for c in counted), max(c.scale_max for c in counted))
        if counted
        else (1, 10)
    )
    rows = list(
        counted_reviews()
        .filter(assignment__round=round_, weighted_total__isnull=False)
        .annotate(scores_json=Cast("scores", TextField()))
        .values_list("assignment__entry_id", "assignment__user_id", "weighted_total", "scores_json")
    )
    all_scores = json.loads("[" + ",".join(row[3] for row in rows) + "]")
    keys: set[str] = set()
    values: set[str] = set()
    for scores in all_scores:
        keys.update(scores)
        values.update(scores.values())
    as_int = {k: int(k) for k in keys}
    # Equal numbers give identical Decimals (7, 7.0 -> Decimal("7")), so one set of values will do.
    as_decimal = {v: Decimal(v) for v in values}
    reviews = [
        rankings.ReviewScores(
            entry_id=entry,
            juror_id=juror,
            weighted_total=cast(Decimal, total),  # filtered on weighted_total__isnull=False
            scores={as_int[k]: as_decimal[v] for k, v in scores.items()},
        )
        for (entry, juror, total, _text), scores in zip(rows, all_scores, strict=True)
    ]
    return reviews, scale


def rounds_for(user: AnyUser) -> QuerySet[Round]:
    """The rounds a person may read with their rubric: organisers all of them, a juror the
    rounds of their active memberships (accepted invitation and terms, not dropped out),
    anyone else none."""
    if not isinstance(user, User):  # nobody logged in
        return Round.objects.none()
    rounds = Round.objects.select_related("edition", "category").prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.order_by("position", "pk"))
    )
    if user.is_organiser:
        return rounds.order_by("edition__year", "opens_at", "pk")
    active = JuryMember.objects.active().filter(round=OuterRef("pk"), user=user)
    return rounds.filter(Exists(active)).order_by("closes_at", "pk")


def conflicts_of_round(round_: Round) -> QuerySet[Conflict]:
    """Every conflict of interest of a round (for organisers), active and dismissed, with
    ``submitted_review``: whether the juror had submitted a review of the entry (it counts
    only when an organiser kept it)."""
    submitted = Review.objects.filter(
        assignment__round=OuterRef("round"),
        assignment__entry=OuterRef("entry"),
        assignment__user=OuterRef("user"),
        state=ReviewState.SUBMITTED,
    )
    return (
        Conflict.objects.filter(round=round_)
        .annotate(submitted_review=Exists(submitted))
        .select_related("entry__initiative", "user", "dismissed_by", "review_decided_by")
        .order_by("-created_at", "-pk")
    )


def organiser_round(user: AnyUser, pk: int | str) -> Round:
    """A round as organisers see it; 404 for everyone else (they may not know it exists)."""
    require_organiser(user)
    return get_object_or_404(Round.objects.select_related("edition", "category"), pk=pk)
