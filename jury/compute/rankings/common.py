"""Shared pieces of the ranking methods: method names, notes, results and display helpers."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, overload

import numpy as np
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from scipy.stats import rankdata

from .inputs import PreparedReviews, RankingInputError

CENT = Decimal("0.01")
DIGITS = 9  # values equal to this many decimals are ties
StrOrPromise = str | Promise  # user-facing texts are lazy translations

MEAN = "mean"
MEDIAN = "median"
TRIMMED_MEAN = "trimmed_mean"
ZSCORE = "zscore"
ADDITIVE = "additive"
BORDA = "borda"
SCHULZE = "schulze"
METHODS = (MEAN, MEDIAN, TRIMMED_MEAN, ZSCORE, ADDITIVE, BORDA, SCHULZE)
METHOD_LABELS = {
    MEAN: _("Mean"),
    MEDIAN: _("Median"),
    TRIMMED_MEAN: _("Trimmed mean"),
    ZSCORE: _("Z-score per juror"),
    ADDITIVE: _("Model with juror effect"),
    BORDA: _("Borda"),
    SCHULZE: _("Schulze"),
}
# What each method does, in one plain line (the ranking page and the round form show them).
METHOD_EXPLANATIONS = {
    MEAN: _("The average of the jury members' totals."),
    MEDIAN: _("The middle total: one very high or very low total weighs less."),
    TRIMMED_MEAN: _("The average without the highest and the lowest total (with enough reviews)."),
    ZSCORE: _(
        "Each jury member's totals are first compared with their own average, so strict "
        "and lenient jury members count the same; then averaged."
    ),
    ADDITIVE: _(
        "A statistical model that estimates how strict or lenient each jury member is "
        "and corrects for it."
    ),
    BORDA: _("Each jury member's order gives points: the higher the place, the more points."),
    SCHULZE: _("Entries are compared two by two: which one do more jury members prefer?"),
}


@dataclass(frozen=True)
class Note:
    """Something an organiser should read: a stable code, a translatable text and whom it is
    about. The text is a lazy translation (Dutch by default): it follows the active language."""

    code: str
    text: StrOrPromise
    subjects: tuple = ()


@dataclass(frozen=True)
class MethodResult:
    """One method's outcome. `values` order the entries (higher is better); `scores` are shown.

    For Schulze `scores` are None and `values` are minus the Schulze layer.
    """

    method: str
    label: StrOrPromise
    scores: dict[Hashable, Decimal | None]
    values: dict[Hashable, float]
    ranks: dict[Hashable, int]
    notes: tuple[Note, ...] = ()


@dataclass
class MethodOutcome:
    """Internal result: values/scores per entry index, plus per-review contributions for the
    bootstrap (the entry's value is `stat` over its contributions)."""

    values: np.ndarray
    scores: list[Decimal | None]
    notes: list[Note]
    contributions: np.ndarray | None = None
    stat: str = MEAN
    extra: Any = None


@overload
def display_decimal(value: Decimal, quantum: Decimal = CENT) -> Decimal: ...
@overload
def display_decimal(value: float | Decimal | None, quantum: Decimal = CENT) -> Decimal | None: ...
def display_decimal(value: float | Decimal | None, quantum: Decimal = CENT) -> Decimal | None:
    """Round for display (ROUND_HALF_UP). Floats go through `display_decimals`."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        result = value.quantize(quantum, rounding=ROUND_HALF_UP)
        return result.copy_abs() if result.is_zero() else result
    return display_decimals(np.array([float(value)]), quantum)[0]


def display_decimals(values: np.ndarray, quantum: Decimal = CENT) -> list[Decimal | None]:
    """Floats to Decimals at `quantum` (a power of ten), half away from zero; NaN -> None.

    Values are first rounded to `DIGITS` decimals, so 7.145 stored as 7.14499999... shows 7.15.
    """
    exponent = quantum.as_tuple().exponent
    if not isinstance(exponent, int) or quantum != Decimal(1).scaleb(exponent):
        raise RankingInputError(f"display precision {quantum} must be a power of ten")
    v = np.asarray(values, dtype=float)
    finite = np.isfinite(v)
    scaled = np.round(np.where(finite, v, 0.0) * 10.0**-exponent, max(DIGITS + exponent, 0))
    units = np.sign(scaled) * np.floor(np.abs(scaled) + 0.5)
    return [
        Decimal(int(u)).scaleb(exponent) if ok else None
        for u, ok in zip(units.tolist(), finite.tolist(), strict=True)
    ]


def competition_ranks(values: np.ndarray) -> np.ndarray:
    """Competition ranks, higher value first; NaN (no value) shares the last place."""
    v = np.round(np.asarray(values, dtype=float), DIGITS)
    v = np.where(np.isnan(v), -np.inf, v)
    return rankdata(-v, method="min").astype(np.int64)


def by_entry(d: PreparedReviews, array: Sequence) -> dict:
    return {entry: array[i] for i, entry in enumerate(d.entries)}


def entry_segments(d: PreparedReviews) -> Iterable[tuple[int, slice]]:
    for i in range(d.n_entries):
        yield i, slice(int(d.starts[i]), int(d.starts[i + 1]))


def juror_groups(d: PreparedReviews) -> list[np.ndarray]:
    """Review positions per juror (in entry order)."""
    order = np.argsort(d.j, kind="stable")
    bounds = np.cumsum(np.bincount(d.j, minlength=len(d.jurors)))[:-1]
    return np.split(order, bounds)
