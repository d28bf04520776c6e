"""What a jury member may see: only the entries assigned to them, in rounds they accepted,
without a conflict of interest."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from common.http import require_organiser
from jury.enums import ReviewState, RoundState, ScoreVisibility
from jury.models import Assignment, Conflict, Criterion, JuryMember, Round


def memberships(user) -> QuerySet[JuryMember]:
    """The rounds a juror takes part in, with their progress (x of y submitted)."""
    if not user.is_authenticated:
        return JuryMember.objects.none()
    return (
        JuryMember.objects.filter(user=user, dropped_out_at__isnull=True)
        .select_related("round__edition", "round__category")
        .annotate(
            assigned=Count(
                "round__assignments", filter=Q(round__assignments__user=user), distinct=True
            ),
            submitted=Count(
                "round__assignments",
                filter=Q(
                    round__assignments__user=user,
                    round__assignments__review__state=ReviewState.SUBMITTED,
                ),
                distinct=True,
            ),
        )
        .order_by("round__closes_at")
    )


def assignments_for(user) -> QuerySet[Assignment]:
    """The juror's visible assignments: accepted membership, no active conflict."""
    if not user.is_authenticated:
        return Assignment.objects.none()
    conflicted = Conflict.objects.filter(
        round=OuterRef("round"), entry=OuterRef("entry"), user=user, dismissed_at__isnull=True
    )
    accepted = JuryMember.objects.filter(
        round=OuterRef("round"), user=user, accepted_at__isnull=False,
        terms_accepted_at__isnull=False, dropped_out_at__isnull=True,
    )  # fmt: skip
    return (
        Assignment.objects.filter(user=user)
        .filter(Exists(accepted))
        .exclude(Exists(conflicted))
        .select_related(
            "round__edition", "entry__initiative", "entry__category", "entry__vlog", "review"
        )
        .order_by("round__closes_at", "entry__number", "pk")
    )


def other_reviews(assignment: Assignment, review) -> list | None:
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
    from jury.models import Review

    return list(
        Review.objects.filter(
            assignment__round=round_, assignment__entry=assignment.entry,
            state=ReviewState.SUBMITTED,
        )
        .exclude(assignment__user=assignment.user)
        .order_by("pk")
    )  # fmt: skip


def ranking_input(round_) -> tuple[list, tuple]:
    """The round's submitted reviews as ranking input, and the scale of its total.

    Built for rounds of thousands of reviews: the scores come as JSON text and are parsed in
    one go, and each distinct criterion id and score is converted to int / Decimal once.
    """
    import json
    from decimal import Decimal

    from django.db.models import TextField
    from django.db.models.functions import Cast

    from jury import rankings
    from jury.models import Review

    counted = [c for c in round_.criteria.all() if c.counted]
    scale = (
        (min(c.scale_min for c in counted), max(c.scale_max for c in counted))
        if counted
        else (1, 10)
    )
    rows = list(
        Review.objects.filter(
            assignment__round=round_, state=ReviewState.SUBMITTED, weighted_total__isnull=False
        )
        .annotate(scores_json=Cast("scores", TextField()))
        .values_list("assignment__entry_id", "assignment__user_id", "weighted_total", "scores_json")
    )
    all_scores = json.loads("[" + ",".join(row[3] for row in rows) + "]")
    keys, values = set(), set()
    for scores in all_scores:
        keys.update(scores)
        values.update(scores.values())
    as_int = {k: int(k) for k in keys}
    # Equal numbers give identical Decimals (7, 7.0 -> Decimal("7")), so one set of values will do.
    as_decimal = {v: Decimal(v) for v in values}
    reviews = [
        rankings.Review(
            entry_id=entry, juror_id=juror, weighted_total=total,
            scores={as_int[k]: as_decimal[v] for k, v in scores.items()},
        )
        for (entry, juror, total, _text), scores in zip(rows, all_scores, strict=True)
    ]  # fmt: skip
    return reviews, scale


def rounds_for(user) -> QuerySet[Round]:
    """The rounds a person may read with their rubric: organisers all of them, a juror the
    rounds of their active memberships (accepted invitation and terms, not dropped out),
    anyone else none."""
    if not user.is_authenticated:
        return Round.objects.none()
    rounds = Round.objects.select_related("edition", "category").prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.order_by("position", "pk"))
    )
    if user.is_organiser:
        return rounds.order_by("edition__year", "opens_at", "pk")
    active = JuryMember.objects.filter(
        round=OuterRef("pk"), user=user, accepted_at__isnull=False,
        terms_accepted_at__isnull=False, dropped_out_at__isnull=True,
    )  # fmt: skip
    return rounds.filter(Exists(active)).order_by("closes_at", "pk")


def conflicts_of_round(round_) -> QuerySet[Conflict]:
    """Every conflict of interest of a round (for organisers), active and dismissed."""
    return (
        Conflict.objects.filter(round=round_)
        .select_related("entry", "user", "dismissed_by")
        .order_by("-created_at", "-pk")
    )


def organiser_round(user, pk) -> Round:
    """A round as organisers see it; 404 for everyone else (they may not know it exists)."""
    require_organiser(user)
    return get_object_or_404(Round.objects.select_related("edition", "category"), pk=pk)
