"""One entry point for every method, a per-input cache, and `rank_by` for a single method."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from .common import (
    ADDITIVE,
    BORDA,
    MEAN,
    MEDIAN,
    METHOD_LABELS,
    METHODS,
    TRIMMED_MEAN,
    ZSCORE,
    MethodOutcome,
    MethodResult,
    by_entry,
    competition_ranks,
)
from .inputs import PreparedReviews, RankingInputError, Scale, prepare_reviews, to_decimal
from .ordinal import method_borda, method_schulze
from .scores import (
    AdditiveModel,
    method_additive,
    method_mean,
    method_median,
    method_trimmed_mean,
    method_zscore,
)


def compute_method(d: PreparedReviews, method: str, options: Mapping[str, Any]) -> MethodOutcome:
    """One method on prepared reviews; `options` may hold trim_proportion and trim_min_reviews."""
    if method not in METHODS:
        raise RankingInputError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
    if not d.n_entries:
        extra = AdditiveModel({}, {}, (), True, {}) if method == ADDITIVE else np.zeros(0, int)
        return MethodOutcome(np.zeros(0), [], [], np.zeros(0), MEAN, extra)
    if method == MEAN:
        return method_mean(d)
    if method == MEDIAN:
        return method_median(d)
    if method == TRIMMED_MEAN:
        return method_trimmed_mean(
            d,
            proportion=to_decimal(options.get("trim_proportion", Decimal("0.2")), "trim"),
            min_reviews=int(options.get("trim_min_reviews", 5)),
        )
    if method == ZSCORE:
        return method_zscore(d)
    if method == ADDITIVE:
        return method_additive(d)
    if method == BORDA:
        return method_borda(d)
    return method_schulze(d)


def method_result(d: PreparedReviews, method: str, computed: MethodOutcome) -> MethodResult:
    """The public result of a method: scores, values and ranks keyed by entry id."""
    return MethodResult(
        method=method,
        label=METHOD_LABELS[method],
        scores=by_entry(d, computed.scores),
        values=by_entry(d, computed.values.tolist()),
        ranks=by_entry(d, competition_ranks(computed.values).tolist()),
        notes=tuple(computed.notes),
    )


class Memo(dict):
    """A dict that computes a missing key on first call: `memo(key)`."""

    def __init__(self, compute) -> None:
        super().__init__()
        self.compute = compute

    def __call__(self, key):
        if key not in self:
            self[key] = self.compute(key)
        return self[key]


class MethodCache:
    """Computes each method once per input, on demand."""

    def __init__(self, d: PreparedReviews, options: Mapping[str, Any]) -> None:
        self.d, self.options = d, options
        self.done: dict[str, MethodOutcome] = {}

    def __call__(self, method: str) -> MethodOutcome:
        if method not in self.done:
            self.done[method] = compute_method(self.d, method, self.options)
        return self.done[method]


def rank_by(
    reviews: Iterable,
    *,
    scale: Scale | Sequence,
    method: str,
    trim_proportion: Decimal = Decimal("0.2"),
    trim_min_reviews: int = 5,
) -> MethodResult:
    """One method's scores and ranks for the given reviews."""
    d = prepare_reviews(reviews, scale)
    options = {"trim_proportion": trim_proportion, "trim_min_reviews": trim_min_reviews}
    return method_result(d, method, compute_method(d, method, options))
