"""How the jurors agree: Krippendorff's alpha with a plain reading, leniency, distributions."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

import krippendorff
import numpy as np
from django.utils.translation import gettext_lazy as _

from .common import StrOrPromise, display_decimal, juror_groups
from .inputs import PreparedReviews, Scale, prepare_reviews
from .scores import AdditiveModel, method_additive

ALPHA_QUANTUM = Decimal("0.001")
# krippendorff.alpha builds a (units x values x values) array; above this size the same interval
# alpha is computed with its closed form (see `_interval_alpha_closed_form`).
KRIPPENDORFF_CELL_LIMIT = 4_000_000


@dataclass(frozen=True)
class AlphaResult:
    """Krippendorff's alpha (interval) with a plain reading: a stable `code` ("good",
    "moderate", "low", "unknown") and a translatable `text` and `explanation`."""

    alpha: Decimal | None
    code: str
    text: StrOrPromise
    explanation: StrOrPromise
    units: int
    values: int
    computed_with: str


@dataclass(frozen=True)
class Agreement:
    overall: AlphaResult
    per_criterion: dict[Hashable, AlphaResult]


@dataclass(frozen=True)
class JurorLeniency:
    """How one juror scores compared with the panel.

    `mean_difference`: the juror's average score minus the average of the other jurors on the same
    entries (positive = milder). `spread_ratio`: the juror's standard deviation divided by the
    panel's. `offset`: the juror effect from the additive model (positive = milder).
    """

    juror_id: Hashable
    reviews: int
    mean: Decimal
    sd: Decimal | None
    mean_difference: Decimal | None
    spread_ratio: Decimal | None
    offset: Decimal | None
    component: int | None


@dataclass(frozen=True)
class Leniency:
    panel_mean: Decimal
    panel_sd: Decimal | None
    jurors: tuple[JurorLeniency, ...]


_READINGS = (
    (
        Decimal("0.800"),
        "good",
        _("good agreement"),
        _("The jurors mostly give the same entry about the same score."),
    ),
    (
        Decimal("0.667"),
        "moderate",
        _("fair agreement"),
        _("The jurors often agree, but not always. Look at the large differences."),
    ),
    (
        None,
        "low",
        _("little agreement"),
        _("The jurors often disagree. The order depends a lot on who reviewed which entry."),
    ),
)


def alpha_reading(alpha: Decimal | float | None) -> tuple[str, StrOrPromise, StrOrPromise]:
    """(code, text, explanation) for an alpha value; thresholds 0.800 and 0.667 (Krippendorff's
    usual limits), compared after rounding to three decimals. The texts are lazy translations
    (Dutch by default); the code is stable."""
    if alpha is None or (isinstance(alpha, float) and not math.isfinite(alpha)):
        return (
            "unknown",
            _("cannot be computed"),
            _("Too few entries have two or more reviews, or all scores are the same."),
        )
    value = display_decimal(alpha, ALPHA_QUANTUM)
    for threshold, code, text, explanation in _READINGS:
        if threshold is None or (value is not None and value >= threshold):
            return code, text, explanation
    raise AssertionError("unreachable")


def _interval_alpha_closed_form(unit: np.ndarray, values: np.ndarray) -> float:
    """Interval alpha from sums (same quantity as krippendorff.alpha, without the values x values
    coincidence matrix): alpha = 1 - (n-1) * sum_u S_u/(m_u-1) / S, with S_u and S the sums of
    squared differences over ordered pairs within unit u and over all pairable values."""
    values = values - values.mean()
    m = np.bincount(unit).astype(float)
    total = np.bincount(unit, weights=values)
    square = np.bincount(unit, weights=values**2)
    used = m >= 2
    within = np.sum(2 * (m[used] * square[used] - total[used] ** 2) / (m[used] - 1))
    n = m.sum()
    overall = 2 * (n * square.sum() - total.sum() ** 2)
    return float(1 - (n - 1) * within / overall)


def _alpha(unit: np.ndarray, values: np.ndarray, n_units: int) -> AlphaResult:
    valid = ~np.isnan(values)
    unit, values = unit[valid], values[valid]
    pairable = np.bincount(unit, minlength=n_units)[unit] >= 2
    unit, values = unit[pairable], values[pairable]
    domain, coded = np.unique(values, return_inverse=True)
    used_units, unit_index = np.unique(unit, return_inverse=True)
    alpha, computed_with = None, "krippendorff"
    if domain.size >= 2:
        if used_units.size * domain.size**2 <= KRIPPENDORFF_CELL_LIMIT:
            counts = np.zeros((used_units.size, domain.size), dtype=np.int64)
            np.add.at(counts, (unit_index, coded), 1)
            alpha = float(
                krippendorff.alpha(
                    value_counts=counts, value_domain=domain, level_of_measurement="interval"
                )
            )
        else:
            alpha, computed_with = _interval_alpha_closed_form(unit_index, values), "closed_form"
    code, text, explanation = alpha_reading(alpha)
    return AlphaResult(
        alpha=display_decimal(alpha, ALPHA_QUANTUM),
        code=code,
        text=text,
        explanation=explanation,
        units=int(used_units.size),
        values=int(values.size),
        computed_with=computed_with,
    )


def compute_agreement(d: PreparedReviews) -> Agreement:
    per_criterion = {}
    for cid, values in d.criterion_values.items():
        per_criterion[cid] = _alpha(d.e, values, d.n_entries)
    return Agreement(overall=_alpha(d.e, d.y, d.n_entries), per_criterion=per_criterion)


def krippendorff_agreement(reviews: Iterable, *, scale: Scale | Sequence) -> Agreement:
    """Krippendorff's alpha (interval) on the weighted totals and per criterion.

    Units are entries, coders are jurors; entries with a single review carry no information and
    are left out. Computed with the `krippendorff` package; only for very many distinct values
    (units x values^2 above `KRIPPENDORFF_CELL_LIMIT`) the closed form is used instead
    (`computed_with` says which).
    """
    return compute_agreement(prepare_reviews(reviews, scale))


def compute_leniency(d: PreparedReviews, model: AdditiveModel | None) -> Leniency:
    if not d.y.size:
        return Leniency(Decimal(0), None, ())
    panel_mean = float(d.y.mean())
    panel_sd = float(d.y.std(ddof=1)) if d.y.size > 1 else None
    sums = np.bincount(d.e, weights=d.y, minlength=d.n_entries)
    others = d.n_e[d.e] - 1
    shared = others > 0
    other_mean = np.where(shared, (sums[d.e] - d.y) / np.maximum(others, 1), np.nan)
    rows = []
    for k, group in enumerate(juror_groups(d)):
        y = d.y[group]
        sd = float(y.std(ddof=1)) if y.size > 1 else None
        diffs = (y - other_mean[group])[shared[group]]
        juror = d.jurors[k]
        rows.append(
            JurorLeniency(
                juror_id=juror,
                reviews=int(y.size),
                mean=_finite(display_decimal(float(y.mean()))),
                sd=display_decimal(sd),
                mean_difference=display_decimal(float(diffs.mean())) if diffs.size else None,
                spread_ratio=display_decimal(sd / panel_sd)
                if sd is not None and panel_sd
                else None,
                offset=display_decimal(model.offsets[juror]) if model else None,
                component=int(model.entry_component[d.entries[d.e[group][0]]]) if model else None,
            )
        )
    return Leniency(_finite(display_decimal(panel_mean)), display_decimal(panel_sd), tuple(rows))


def _finite(value: Decimal | None) -> Decimal:
    """A mean of scores, which is never NaN (so never None once rounded for display)."""
    return cast(Decimal, value)


def juror_leniency(reviews: Iterable, *, scale: Scale | Sequence) -> Leniency:
    """Each juror's mean and spread against the panel, and their additive-model offset."""
    d = prepare_reviews(reviews, scale)
    return compute_leniency(d, method_additive(d).extra)


def _plain(value: Decimal) -> Decimal:
    """7.0 -> 7, 7.50 -> 7.5: one spelling per value."""
    return Decimal(int(value)) if value == value.to_integral_value() else value.normalize()


def compute_distributions(d: PreparedReviews) -> dict[Hashable, tuple[tuple[Decimal, int], ...]]:
    out = {}
    for cid in d.criteria:
        scale = d.criterion_scales[cid]
        values = d.criterion_values[cid]
        distinct, found = np.unique(values[~np.isnan(values)], return_counts=True)
        counts = {
            _plain(Decimal(repr(v))): n
            for v, n in zip(distinct.tolist(), found.tolist(), strict=True)
        }
        for value in range(math.ceil(scale.min), math.floor(scale.max) + 1):
            counts.setdefault(Decimal(value), 0)
        out[cid] = tuple(sorted(counts.items()))
    return out


def score_distribution(
    reviews: Iterable,
    *,
    scale: Scale | Sequence,
    criterion_scales: Mapping[Hashable, Scale | Sequence] | None = None,
) -> dict[Hashable, tuple[tuple[Decimal, int], ...]]:
    """Per criterion: (value, count) for every whole value of its scale (zero counts included),
    plus any other value that occurs, in ascending order."""
    return compute_distributions(prepare_reviews(reviews, scale, criterion_scales))
