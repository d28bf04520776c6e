"""Results certificates: closing a round freezes its inputs and ranking so that anyone can
recompute the order later (``manage.py verify_results``) and see that nothing changed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import audit
from common.models import Actor, User
from common.version import VERSION
from jury import selectors, services
from jury.compute import rankings
from jury.enums import RoundState
from jury.models import ResultSnapshot, Round, TieDecision


def canonical_inputs(reviews: Iterable[rankings.ReviewScores]) -> list[list[object]]:
    """The reviews in a fixed order and form (strings for Decimals) for hashing and storage."""
    return sorted(
        [
            r.entry_id,
            r.juror_id,
            str(r.weighted_total),
            sorted([str(k), str(v)] for k, v in r.scores.items()),
        ]
        for r in reviews
    )


def sha256_of(inputs: Sequence[object]) -> str:
    blob = json.dumps(inputs, separators=(",", ":"), sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()


def tie_decision_records(round_: Round) -> list[dict[str, object]]:
    """The round's tie decisions as the certificate stores them (order and reason)."""
    return [
        {"order": d.order, "reason": d.reason}
        for d in TieDecision.objects.filter(round=round_).order_by("key")
    ]


def organiser_orders(round_: Round) -> dict[frozenset[int], list[int]]:
    """The round's recorded tie decisions: {set of tied entry ids: their order}."""
    return {frozenset(d.order): d.order for d in TieDecision.objects.filter(round=round_)}


def undecided_ties(round_: Round) -> int:
    """How many groups of entries the round's tie rule leaves tied without an organisers'
    order yet (to decide before closing). Three queries."""
    reviews, scale = selectors.ranking_input(round_)
    if not reviews:
        return 0
    official = rankings.official_ranking(
        reviews,
        scale=scale,
        method=round_.official_method,
        organiser_orders=organiser_orders(round_),
    )
    return sum(1 for tie in official.ties if tie.needs_decision)


def _official_order(
    round_: Round,
    reviews: list[rankings.ReviewScores],
    scale: tuple[int, int],
    orders: Mapping[frozenset[int], list[int]],
) -> list[list[object]]:
    if not reviews:
        return []
    official = rankings.official_ranking(
        reviews, scale=scale, method=round_.official_method, organiser_orders=orders
    )
    return [[row.entry_id, row.rank, str(row.score)] for row in official.rows]


def decide_tie(*, round_: Round, order: list[int], reason: str, actor: User) -> TieDecision:
    """Record the organisers' order for entries the tie rule leaves tied (or change it), with
    a written reason. Only while the round is open: closing freezes it in the certificate.
    Side effect: an audit row with the order and the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise services.JuryError(_("Write down the reason for this order."), code="reason_missing")
    if len(reason) > 2000:
        raise services.JuryError(
            _("The reason can be at most 2000 characters."), code="reason_too_long"
        )
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_.pk)
        if locked.state != RoundState.OPEN:
            raise services.JuryError(
                _("Ties are decided while the round is open, before it is closed."),
                code="round_not_open",
            )
        reviews, scale = selectors.ranking_input(locked)
        current = organiser_orders(locked)
        official = (
            rankings.official_ranking(
                reviews, scale=scale, method=locked.official_method, organiser_orders=current
            )
            if reviews
            else None
        )
        open_groups = {
            frozenset(part)
            for tie in (official.ties if official else ())
            for part in tie.order
            if len(part) > 1
        }
        wanted = frozenset(order)
        if len(wanted) != len(order) or (wanted not in open_groups and wanted not in current):
            raise services.JuryError(
                _("These entries are not tied with each other in the current ranking."),
                code="not_a_tie",
            )
        key = ",".join(str(i) for i in sorted(wanted))
        decision, _created = TieDecision.objects.update_or_create(
            round=locked,
            key=key,
            defaults={"order": list(order), "reason": reason, "decided_by": actor},
        )
        audit.record(
            actor=actor, action="tie_decided", obj=locked, order=list(order), reason=reason
        )
    return decision


def close_round(*, round_: Round, actor: Actor) -> ResultSnapshot:
    """open → closed, and freeze the results certificate in the same transaction."""
    with transaction.atomic():
        services.transition_round(round_id=round_.pk, to=RoundState.CLOSED, actor=actor)
        reviews, scale = selectors.ranking_input(round_)
        inputs = canonical_inputs(reviews)
        orders = organiser_orders(round_)
        return ResultSnapshot.objects.create(
            round=round_,
            method=round_.official_method,
            parameters={
                "scale": list(scale),
                "tie_break": list(rankings.report.DEFAULT_TIE_BREAK),
                "tie_decisions": tie_decision_records(round_),
            },
            inputs=inputs,
            input_sha256=sha256_of(inputs),
            ranking=_official_order(round_, reviews, scale, orders),
            software_version=VERSION,
        )


@dataclass(frozen=True)
class Verification:
    ok: bool
    problems: tuple[str, ...]


def verify(snapshot: ResultSnapshot) -> Verification:
    """Recompute from the stored scores of today and compare with the certificate."""
    round_ = snapshot.round
    reviews, scale = selectors.ranking_input(round_)
    problems = []
    inputs = canonical_inputs(reviews)
    if sha256_of(inputs) != snapshot.input_sha256:
        problems.append("the scores differ from the ones in the certificate (SHA-256)")
    if sha256_of(snapshot.inputs) != snapshot.input_sha256:
        problems.append("the certificate's own scores do not match its SHA-256")
    records = snapshot.parameters.get("tie_decisions", [])
    frozen = {frozenset(d["order"]): d["order"] for d in records}
    if records != tie_decision_records(round_):
        problems.append("the tie decisions differ from the ones in the certificate")
    if _official_order(round_, reviews, scale, frozen) != snapshot.ranking:
        problems.append("the recomputed ranking differs from the certificate")
    return Verification(ok=not problems, problems=tuple(problems))


def certificate_data(snapshot: ResultSnapshot) -> dict[str, object]:
    """The results certificate as people and scripts download it: the one presenter for the
    round page's JSON download and the API."""
    round_ = snapshot.round
    return {
        "round": round_.pk,
        "round_name": round_.name,
        "edition": round_.edition.name,
        "made_at": timezone.localtime(snapshot.created_at).isoformat(),
        "method": snapshot.method,
        "parameters": snapshot.parameters,
        "software_version": snapshot.software_version,
        "input_sha256": snapshot.input_sha256,
        "inputs": snapshot.inputs,
        "ranking": snapshot.ranking,
    }
