"""The input of a ranking: reviews and scales, their validation and a canonical array form.

Reviews may come as `ReviewScores` objects, tuples or mappings with the same fields.
`prepare_reviews` checks them (scores inside the scale, one review per juror and entry) and
puts them in a canonical order (entry id, juror id), so the same input always gives the same
result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from itertools import chain
from typing import Any

import numpy as np


class RankingInputError(ValueError):
    """The reviews cannot be ranked as given (score outside the scale, duplicate, bad option)."""


@dataclass(frozen=True)
class ReviewScores:
    """One submitted review: the juror's weighted total and their score per criterion."""

    entry_id: Hashable
    juror_id: Hashable
    weighted_total: Decimal
    scores: Mapping[Hashable, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Scale:
    """The lowest and highest possible score (inclusive)."""

    min: Decimal
    max: Decimal


def _id_key(value: Hashable) -> tuple:
    return (type(value).__name__, value)


def to_decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool):
        raise RankingInputError(f"{what}: {value!r} is not a number")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(value)
        except InvalidOperation as exc:
            raise RankingInputError(f"{what}: {value!r} is not a number") from exc
    elif isinstance(value, float):
        result = Decimal(repr(value))
    else:
        raise RankingInputError(f"{what}: {value!r} is not a number")
    if not result.is_finite():
        raise RankingInputError(f"{what}: {value!r} is not a finite number")
    return result


def _coerce_scale(scale: Scale | Sequence) -> Scale:
    low, high = (scale.min, scale.max) if isinstance(scale, Scale) else tuple(scale)
    low, high = to_decimal(low, "scale"), to_decimal(high, "scale")
    if not low < high:
        raise RankingInputError("scale: the lowest score must be below the highest")
    return Scale(low, high)


def _coerce_review(raw: Any) -> ReviewScores:
    if isinstance(raw, ReviewScores):
        entry_id, juror_id, total, scores = (
            raw.entry_id,
            raw.juror_id,
            raw.weighted_total,
            raw.scores,
        )
    elif isinstance(raw, Mapping):
        entry_id, juror_id = raw["entry_id"], raw["juror_id"]
        total, scores = raw["weighted_total"], raw.get("scores") or {}
    else:
        entry_id, juror_id, total, *rest = raw
        scores = rest[0] if rest else {}
    scores = {cid: to_decimal(v, f"criterion {cid!r}") for cid, v in dict(scores).items()}
    return ReviewScores(entry_id, juror_id, to_decimal(total, "weighted_total"), scores)


@dataclass
class PreparedReviews:
    """Reviews in canonical order (entry, juror) as index arrays."""

    scale: Scale
    entries: list
    jurors: list
    e: np.ndarray
    j: np.ndarray
    y: np.ndarray
    y_dec: list[Decimal]
    scores: list[Mapping[Hashable, Decimal]]
    starts: np.ndarray
    n_e: np.ndarray
    criteria: list
    criterion_scales: dict[Hashable, Scale]

    @property
    def n_entries(self) -> int:
        return len(self.entries)

    @cached_property
    def criterion_values(self) -> dict[Hashable, np.ndarray]:
        """Per criterion, each review's score as a float (NaN where the review has none)."""
        nan = float("nan")
        return {
            cid: np.array([float(s.get(cid, nan)) for s in self.scores], dtype=float)
            for cid in self.criteria
        }


def _clean_rows(reviews: Iterable) -> list[ReviewScores]:
    """Reviews with Decimal values; `ReviewScores` objects that already are clean are used as
    given."""
    raw = list(reviews)
    if set(map(type, raw)) <= {ReviewScores}:
        totals = set(map(type, (r.weighted_total for r in raw)))
        scores = set(map(type, chain.from_iterable(r.scores.values() for r in raw)))
        if totals <= {Decimal} and scores <= {Decimal}:
            return raw
    return [_coerce_review(r) for r in raw]


def _check_range(values: list[Decimal], scale: Scale, what: str) -> None:
    if values and (min(values) < scale.min or max(values) > scale.max):
        bad = next(v for v in values if not scale.min <= v <= scale.max)
        raise RankingInputError(f"{what} {bad} is outside the scale {scale.min} to {scale.max}")


def _validate(rows: list[ReviewScores], scale: Scale, crit_scales: Mapping[Hashable, Scale]) -> set:
    """Refuse duplicates and scores outside their scale; return the criterion ids."""
    pairs = [(r.entry_id, r.juror_id) for r in rows]
    if len(set(pairs)) != len(pairs):
        entry, juror = next(p for p, n in Counter(pairs).items() if n > 1)
        raise RankingInputError(f"juror {juror!r} reviewed entry {entry!r} twice")
    criteria = set(chain.from_iterable(r.scores for r in rows))
    try:
        _check_range([r.weighted_total for r in rows], scale, "weighted total")
        if crit_scales:
            checks = criteria
        else:  # one scale for all: check all scores at once, name the criterion only on failure
            every = list(chain.from_iterable(r.scores.values() for r in rows))
            checks = (
                set()
                if not every or scale.min <= min(every) <= max(every) <= scale.max
                else criteria
            )
        for cid in checks:
            values = [r.scores[cid] for r in rows if cid in r.scores]
            _check_range(values, crit_scales.get(cid, scale), f"criterion {cid!r}: score")
    except InvalidOperation as exc:  # comparing a Decimal NaN
        raise RankingInputError("a score is not a number") from exc
    return criteria


def prepare_reviews(
    reviews: Iterable,
    scale: Scale | Sequence,
    criterion_scales: Mapping[Hashable, Scale | Sequence] | None = None,
) -> PreparedReviews:
    scale = _coerce_scale(scale)
    crit_scales = {cid: _coerce_scale(s) for cid, s in (criterion_scales or {}).items()}
    rows = _clean_rows(reviews)
    criteria = _validate(rows, scale, crit_scales)
    entries = sorted({r.entry_id for r in rows}, key=_id_key)
    jurors = sorted({r.juror_id for r in rows}, key=_id_key)
    e_of = {x: i for i, x in enumerate(entries)}
    j_of = {x: i for i, x in enumerate(jurors)}
    e = np.fromiter((e_of[r.entry_id] for r in rows), dtype=np.int64, count=len(rows))
    j = np.fromiter((j_of[r.juror_id] for r in rows), dtype=np.int64, count=len(rows))
    order = np.lexsort((j, e))
    rows, e, j = [rows[i] for i in order], e[order], j[order]
    n_e = np.bincount(e, minlength=len(entries))
    starts = np.concatenate(([0], np.cumsum(n_e)))
    return PreparedReviews(
        scale=scale,
        entries=entries,
        jurors=jurors,
        e=e,
        j=j,
        y=np.array([float(r.weighted_total) for r in rows], dtype=float),
        y_dec=[r.weighted_total for r in rows],
        scores=[r.scores for r in rows],
        starts=starts,
        n_e=n_e,
        criteria=sorted(criteria, key=_id_key),
        criterion_scales={cid: crit_scales.get(cid, scale) for cid in criteria},
    )
