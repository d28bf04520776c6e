"""Results certificates: closing a round freezes its inputs and ranking so that anyone can
recompute the order later (``manage.py verify_results``) and see that nothing changed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction

from common.version import VERSION
from jury import rankings, selectors, services
from jury.enums import RoundState
from jury.models import ResultSnapshot, Round


def canonical_inputs(reviews: list) -> list:
    """The reviews in a fixed order and form (strings for Decimals) for hashing and storage."""
    return sorted(
        [r.entry_id, r.juror_id, str(r.weighted_total),
         sorted([str(k), str(v)] for k, v in r.scores.items())]
        for r in reviews
    )  # fmt: skip


def sha256_of(inputs: list) -> str:
    blob = json.dumps(inputs, separators=(",", ":"), sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()


def _official_order(round_: Round, reviews: list, scale) -> list:
    if not reviews:
        return []
    official = rankings.official_ranking(reviews, scale=scale, method=round_.official_method)
    return [[row.entry_id, row.rank, str(row.score)] for row in official.rows]


def close_round(*, round_: Round, actor) -> ResultSnapshot:
    """open → closed, and freeze the results certificate in the same transaction."""
    with transaction.atomic():
        services.transition_round(round_id=round_.pk, to=RoundState.CLOSED, actor=actor)
        reviews, scale = selectors.ranking_input(round_)
        inputs = canonical_inputs(reviews)
        return ResultSnapshot.objects.create(
            round=round_, method=round_.official_method,
            parameters={"scale": list(scale), "tie_break": list(rankings.report.DEFAULT_TIE_BREAK)},
            inputs=inputs, input_sha256=sha256_of(inputs),
            ranking=_official_order(round_, reviews, scale), software_version=VERSION,
        )  # fmt: skip


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
    if _official_order(round_, reviews, scale) != snapshot.ranking:
        problems.append("the recomputed ranking differs from the certificate")
    return Verification(ok=not problems, problems=tuple(problems))
