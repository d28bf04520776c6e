"""How sure a rank is: each entry's spread and bootstrap intervals of its rank."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

import numpy as np
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .common import (
    BORDA,
    DIGITS,
    MEAN,
    MEDIAN,
    Note,
    StrOrPromise,
    by_entry,
    competition_ranks,
    display_decimal,
    display_decimals,
    entry_segments,
)
from .inputs import PreparedReviews, RankingInputError, Scale, prepare_reviews
from .methods import MethodCache
from .scores import trim_count

_BOOTSTRAP_CHUNK = 100  # resamples ranked per step
EN_DASH = "\u2013"


@dataclass(frozen=True)
class EntrySpread:
    """Disagreement about one entry: number of reviews, standard deviation and range."""

    reviews: int
    sd: Decimal | None
    range: Decimal


@dataclass(frozen=True)
class RankInterval:
    """Bootstrap interval of an entry's rank; `text` reads e.g. "rank 2\u20134, 90 %"
    ("rang 2\u20134, 90 %" in Dutch)."""

    lower: int
    upper: int
    coverage: Decimal
    text: StrOrPromise


def compute_spreads(d: PreparedReviews) -> list[EntrySpread]:
    """Spread per entry index (see `entry_spread`)."""
    sums = np.bincount(d.e, weights=d.y, minlength=d.n_entries)
    mean = sums / d.n_e
    ss = np.bincount(d.e, weights=(d.y - mean[d.e]) ** 2, minlength=d.n_entries)
    many = d.n_e > 1
    sd = display_decimals(np.where(many, np.sqrt(ss / np.maximum(d.n_e - 1, 1)), np.nan))
    out = []
    for i, seg in entry_segments(d):
        part = d.y_dec[seg]
        out.append(
            EntrySpread(
                reviews=int(d.n_e[i]), sd=sd[i], range=display_decimal(max(part) - min(part))
            )
        )
    return out


def entry_spread(reviews: Iterable, *, scale: Scale | Sequence) -> dict[Hashable, EntrySpread]:
    """Per entry: number of reviews, sample standard deviation (ddof=1) and range."""
    d = prepare_reviews(reviews, scale)
    return by_entry(d, compute_spreads(d))


def _bootstrap_stat(sample: np.ndarray, stat: str) -> np.ndarray:
    """The method's statistic over axis 0 (the n drawn reviews of each entry)."""
    n = sample.shape[0]
    if stat == MEDIAN:
        return np.median(sample, axis=0)
    if stat.startswith("trimmed:"):
        _trimmed, proportion, min_reviews = stat.split(":")
        cut = trim_count(n, Decimal(proportion))
        if n >= int(min_reviews) and n - 2 * cut >= 1 and cut:
            return np.sort(sample, axis=0)[cut : n - cut].mean(axis=0)
    return sample.mean(axis=0)


def _ranks_rows(values: np.ndarray) -> np.ndarray:
    """Competition ranks per row (higher first, NaN last), vectorised.

    Values are rounded to `DIGITS` decimals and packed with their column index into one int64,
    so a single sort per row (much faster than argsort) gives order and ties.
    """
    cols = values.shape[1]
    finite = np.isfinite(values)
    if not finite.any():
        return np.ones(values.shape, dtype=np.int32)
    top, bottom = float(values[finite].max()), float(values[finite].min())
    distance = np.where(finite, top - values, (top - bottom) + 1.0)
    quantized = np.rint(distance * 10.0**DIGITS).astype(np.int64)
    shift = max(int(cols - 1).bit_length(), 1)
    if int(quantized.max()).bit_length() + shift > 62:
        return np.vstack([competition_ranks(row) for row in values]).astype(np.int32)
    packed = (quantized << shift) | np.arange(cols, dtype=np.int64)[None, :]
    packed.sort(axis=1)
    ordered = packed >> shift
    start = np.ones(packed.shape, dtype=bool)
    start[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    position = np.where(start, np.arange(1, cols + 1, dtype=np.int32)[None, :], 0)
    np.maximum.accumulate(position, axis=1, out=position)
    ranks = np.empty_like(position)
    np.put_along_axis(ranks, packed & ((1 << shift) - 1), position, axis=1)
    return ranks


def bootstrap_intervals(
    d: PreparedReviews,
    contributions: np.ndarray,
    stat: str,
    *,
    resamples: int,
    coverage: Decimal,
    seed: int,
) -> list[RankInterval]:
    """Rank intervals: resample each entry's reviews with replacement (stratified by entry),
    recompute the entry's value with the method's statistic, rank all entries, repeat; report
    the (1-coverage)/2 and (1+coverage)/2 percentiles (inverted CDF) of each entry's ranks."""
    valid = ~np.isnan(contributions)
    e, c = d.e[valid], contributions[valid]
    counts = np.bincount(e, minlength=d.n_entries)
    starts = np.concatenate(([0], np.cumsum(counts)))[:-1]
    groups = []  # entries with the same number of reviews are resampled together
    for n in np.unique(counts[counts > 0]).tolist():
        idx = np.flatnonzero(counts == n)
        matrix = c[starts[idx][:, None] + np.arange(n)[None, :]]  # (entries, n), row-major
        base = (np.arange(idx.size) * n).astype(np.int32 if c.size < 2**31 else np.int64)
        groups.append((n, idx, matrix.ravel(), base))
    rng = np.random.default_rng(seed)
    ranks = np.empty((d.n_entries, resamples), dtype=np.int32)  # one row per entry
    for first in range(0, resamples, _BOOTSTRAP_CHUNK):
        size = min(_BOOTSTRAP_CHUNK, resamples - first)
        stats = np.full((size, d.n_entries), np.nan)
        for n, idx, flat, base in groups:
            if n == 1:
                stats[:, idx] = flat[None, :]
                continue
            draws = rng.integers(0, n, size=(n, size, idx.size), dtype=base.dtype)
            draws += base  # position of the drawn review in `flat`
            stats[:, idx] = _bootstrap_stat(np.take(flat, draws), stat)
        ranks[:, first : first + size] = _ranks_rows(stats).T
    ranks.sort(axis=1)
    tail = (1 - coverage) / 2
    low = ranks[:, inverted_cdf_index(tail, resamples)]
    high = ranks[:, inverted_cdf_index(1 - tail, resamples)]
    return [
        _interval(int(lo), int(hi), coverage)
        for lo, hi in zip(low.tolist(), high.tolist(), strict=True)
    ]


def inverted_cdf_index(q: Decimal, count: int) -> int:
    """Position of the q-quantile in `count` sorted values (numpy's "inverted_cdf" method)."""
    return min(max(math.ceil(q * count) - 1, 0), count - 1)


def _interval(lower: int, upper: int, coverage: Decimal) -> RankInterval:
    percent = _percent(coverage)
    span = f"{lower}" if lower == upper else f"{lower}{EN_DASH}{upper}"
    text = format_lazy(_("rank {span}, {percent} %"), span=span, percent=percent)
    return RankInterval(lower, upper, coverage, text)


def _percent_text(coverage: Decimal) -> str:
    """The coverage as a percentage in the active language: "90", "92,5" (nl), "92.5" (en)."""
    return number_format((coverage * 100).normalize())


_percent = lazy(_percent_text, str)


def bootstrap_source(cache: MethodCache, method: str) -> tuple[np.ndarray, str, list[Note]]:
    """What the bootstrap resamples for `method`: per-review contributions and the statistic.
    Schulze has no score per review, so Borda's are used instead (with a note)."""
    computed = cache(method)
    if computed.contributions is not None:
        return computed.contributions, computed.stat, []
    note = Note(
        "bootstrap_basis_borda",
        _(
            "Schulze has no score per review. So the uncertainty of the rank was estimated "
            "with Borda."
        ),
    )
    borda = cache(BORDA)
    return cast(np.ndarray, borda.contributions), borda.stat, [note]  # Borda always has them


def bootstrap_rank_intervals(
    reviews: Iterable,
    *,
    scale: Scale | Sequence,
    method: str = MEAN,
    resamples: int = 1000,
    coverage: Decimal = Decimal("0.90"),
    seed: int = 0,
) -> dict[Hashable, RankInterval]:
    """Bootstrap interval of each entry's rank under `method` (see `bootstrap_intervals`)."""
    if resamples < 1:
        raise RankingInputError("the bootstrap needs at least one resample")
    d = prepare_reviews(reviews, scale)
    contributions, stat, _notes = bootstrap_source(MethodCache(d, {}), method)
    intervals = bootstrap_intervals(
        d, contributions, stat, resamples=resamples, coverage=coverage, seed=seed
    )
    return by_entry(d, intervals)
