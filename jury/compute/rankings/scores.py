"""Score-based methods: mean, median, trimmed mean, per-juror z-scores and the additive model."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

import numpy as np
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import spsolve

from .common import (
    DIGITS,
    MEAN,
    MEDIAN,
    MethodOutcome,
    Note,
    by_entry,
    display_decimal,
    display_decimals,
    entry_segments,
)
from .inputs import PreparedReviews, Scale, prepare_reviews


@dataclass(frozen=True)
class Component:
    """A connected group of jurors and entries in the assignment (who scored what)."""

    index: int
    entries: tuple
    jurors: tuple
    reviews: int
    residual_sd: Decimal | None


@dataclass(frozen=True)
class AdditiveModel:
    """Fit of score = entry quality + juror offset + noise (offsets sum to zero per component)."""

    qualities: dict[Hashable, float]
    offsets: dict[Hashable, float]
    components: tuple[Component, ...]
    connected: bool
    entry_component: dict[Hashable, int]
    notes: tuple[Note, ...] = ()


def method_mean(d: PreparedReviews) -> MethodOutcome:
    """Mean: the plain average of the entry's weighted totals (exact, in Decimal)."""
    scores = []
    with localcontext() as ctx:
        ctx.prec = 28
        for _entry, seg in entry_segments(d):
            part = d.y_dec[seg]
            scores.append(sum(part, Decimal(0)) / len(part))
    values = np.array([float(s) for s in scores])
    return MethodOutcome(values, [display_decimal(s) for s in scores], [], d.y, MEAN)


def _median(part: list[Decimal]) -> Decimal:
    ordered, n = sorted(part), len(part)
    if n % 2:
        return ordered[n // 2]
    return (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def method_median(d: PreparedReviews) -> MethodOutcome:
    """Median: the middle weighted total (mean of the two middle ones for an even count)."""
    with localcontext() as ctx:
        ctx.prec = 28
        scores = [_median(d.y_dec[seg]) for _entry, seg in entry_segments(d)]
    values = np.array([float(s) for s in scores])
    return MethodOutcome(values, [display_decimal(s) for s in scores], [], d.y, MEDIAN)


def trim_count(n: int, proportion: Decimal) -> int:
    return int(proportion * n)  # same cut as scipy.stats.trim_mean: int(proportion * n)


def method_trimmed_mean(
    d: PreparedReviews, *, proportion: Decimal, min_reviews: int
) -> MethodOutcome:
    """Trimmed mean: drop the lowest and highest `proportion` of the totals, average the rest.

    Only for entries with at least `min_reviews` reviews; others fall back to the plain mean and
    are listed in a note ("trimmed_mean_fallback").
    """
    scores, fallback = [], []
    with localcontext() as ctx:
        ctx.prec = 28
        for i, seg in entry_segments(d):
            part = sorted(d.y_dec[seg])
            n = len(part)
            cut = trim_count(n, proportion)
            if n < min_reviews or n - 2 * cut < 1:
                fallback.append(d.entries[i])
                cut = 0
            kept = part[cut : n - cut]
            scores.append(sum(kept, Decimal(0)) / len(kept))
    notes = []
    if fallback:
        notes.append(
            Note(
                "trimmed_mean_fallback",
                format_lazy(
                    _("Fewer than {count} reviews: the plain mean was used there."),
                    count=min_reviews,
                ),
                tuple(fallback),
            )
        )
    values = np.array([float(s) for s in scores])
    stat = f"trimmed:{proportion}:{min_reviews}"
    return MethodOutcome(values, [display_decimal(s) for s in scores], notes, d.y, stat)


def _review_z(d: PreparedReviews) -> tuple[np.ndarray, list[Note]]:
    m_j = np.bincount(d.j, minlength=len(d.jurors)).astype(float)
    mu = np.bincount(d.j, weights=d.y, minlength=len(d.jurors)) / m_j
    dev = d.y - mu[d.j]
    sd = np.sqrt(np.bincount(d.j, weights=dev**2, minlength=len(d.jurors)) / m_j)
    usable = (m_j >= 2) & (sd > 10.0**-DIGITS)
    safe_sd = np.where(usable, sd, 1.0)
    z = np.where(usable[d.j], dev / safe_sd[d.j], 0.0)
    notes = []
    flat = [d.jurors[k] for k in np.flatnonzero(~usable)]
    if flat:
        notes.append(
            Note(
                "zscore_no_spread",
                _(
                    "These jurors gave only one score, or the same score every time. "
                    "Their z-score is 0."
                ),
                tuple(flat),
            )
        )
    return z, notes


def method_zscore(d: PreparedReviews) -> MethodOutcome:
    """Z-scores per juror: each score minus the juror's own mean, divided by the juror's standard
    deviation (population, ddof=0); the entry's value is the mean of its z-scores.

    Shown on the original scale as panel mean + mean z x panel standard deviation (all weighted
    totals, ddof=0); that shown score can fall slightly outside the scale. A juror with one
    review or no spread gets z = 0 (a note lists them).
    """
    z, notes = _review_z(d)
    zbar = np.bincount(d.e, weights=z, minlength=d.n_entries) / d.n_e
    panel_mean, panel_sd = float(d.y.mean()), float(d.y.std())
    shown = panel_mean + zbar * panel_sd
    return MethodOutcome(zbar, display_decimals(shown), notes, z, MEAN)


def _components(d: PreparedReviews) -> tuple[np.ndarray, np.ndarray, int]:
    """Connected components of the entry-juror graph, numbered largest first."""
    n_e, n_j = d.n_entries, len(d.jurors)
    graph = sparse.coo_matrix(
        (np.ones(d.e.size), (d.e, n_e + d.j)), shape=(n_e + n_j, n_e + n_j)
    ).tocsr()
    count, labels = connected_components(graph, directed=False)
    sizes = np.bincount(labels[:n_e], minlength=count)
    first = np.full(count, n_e + n_j)
    np.minimum.at(first, labels[:n_e], np.arange(n_e))
    order = sorted(range(count), key=lambda c: (-sizes[c], first[c]))
    renumber = np.empty(count, dtype=np.int64)
    renumber[order] = np.arange(count)
    labels = renumber[labels]
    return labels[:n_e], labels[n_e:], count


def _fit_additive(d: PreparedReviews) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Least squares for y = q[entry] + b[juror] with sum(b) = 0 within each component.

    The entry qualities are eliminated (q_e = mean over the entry of y - b), which leaves a small
    juror-by-juror system (M - N' D^-1 N) b = Y_j - N' D^-1 Y_e. It is solved for all components
    at once with one sum-to-zero constraint (a Lagrange row) per component.
    """
    n_e, n_j = d.n_entries, len(d.jurors)
    entry_comp, juror_comp, count = _components(d)
    incidence = sparse.csr_matrix((np.ones(d.e.size), (d.e, d.j)), shape=(n_e, n_j))
    inv_n = 1.0 / d.n_e
    y_e = np.bincount(d.e, weights=d.y, minlength=n_e)
    y_j = np.bincount(d.j, weights=d.y, minlength=n_j)
    m_j = np.bincount(d.j, minlength=n_j).astype(float)
    scaled = incidence.T.multiply(inv_n[None, :]).tocsr()
    lap = sparse.diags(m_j) - scaled @ incidence
    rhs = y_j - scaled @ y_e
    membership = sparse.csr_matrix((np.ones(n_j), (np.arange(n_j), juror_comp)), shape=(n_j, count))
    system = sparse.bmat([[lap, membership], [membership.T, None]], format="csc")
    # SuperLU: exact like a dense solve, and free of BLAS threads that stall on a busy machine.
    solution = spsolve(system, np.concatenate((rhs, np.zeros(count))))
    offsets = np.asarray(solution[:n_j])
    qualities = (y_e - incidence @ offsets) * inv_n
    return qualities, offsets, entry_comp, juror_comp, count


def method_additive(d: PreparedReviews) -> MethodOutcome:
    """Additive juror-effect model: score = entry quality + juror offset + noise.

    Fitted by least squares with the offsets summing to zero (per connected component). It
    corrects for mild and strict jurors even when jurors saw different entries, but only within
    a connected assignment: entries in different components are not comparable, and the report
    says so ("not_connected"). The shown score is the quality on the original scale; the
    bootstrap resamples the offset-corrected scores (offsets held at their estimate).
    """
    qualities, offsets, entry_comp, juror_comp, count = _fit_additive(d)
    adjusted = d.y - offsets[d.j]
    residuals = adjusted - qualities[d.e]
    review_comp = entry_comp[d.e]
    reviews = np.bincount(review_comp, minlength=count)
    rss = np.bincount(review_comp, weights=residuals**2, minlength=count)
    n_entries = np.bincount(entry_comp, minlength=count)
    n_jurors = np.bincount(juror_comp, minlength=count)
    dof = reviews - n_entries - (n_jurors - 1)
    residual_sd = display_decimals(np.where(dof > 0, np.sqrt(rss / np.maximum(dof, 1)), np.nan))
    entries_by = np.split(np.argsort(entry_comp, kind="stable"), np.cumsum(n_entries)[:-1])
    jurors_by = np.split(np.argsort(juror_comp, kind="stable"), np.cumsum(n_jurors)[:-1])
    components = [
        Component(
            index=c,
            entries=tuple(d.entries[i] for i in entries_by[c]),
            jurors=tuple(d.jurors[i] for i in jurors_by[c]),
            reviews=int(reviews[c]),
            residual_sd=residual_sd[c],
        )
        for c in range(count)
    ]
    notes = []
    if count > 1:
        sizes = ", ".join(str(len(comp.entries)) for comp in components)
        notes.append(
            Note(
                "not_connected",
                format_lazy(
                    _(
                        "The jury falls apart into {count} separate groups (entries per group: "
                        "{sizes}). No juror links the groups. So the model cannot fairly compare "
                        "scores from different groups."
                    ),
                    count=count,
                    sizes=sizes,
                ),
                tuple(range(count)),
            )
        )
    model = AdditiveModel(
        qualities=by_entry(d, qualities.tolist()),
        offsets={juror: float(offsets[k]) for k, juror in enumerate(d.jurors)},
        components=tuple(components),
        connected=count <= 1,
        entry_component=by_entry(d, entry_comp.tolist()),
        notes=tuple(notes),
    )
    return MethodOutcome(qualities, display_decimals(qualities), notes, adjusted, MEAN, model)


def review_zscores(reviews: Iterable, *, scale: Scale | Sequence) -> dict[tuple, float]:
    """Each review's z-score within its juror: {(entry_id, juror_id): z}."""
    d = prepare_reviews(reviews, scale)
    z, _notes = _review_z(d)
    return {(d.entries[e], d.jurors[j]): float(v) for e, j, v in zip(d.e, d.j, z, strict=True)}


def additive_model(reviews: Iterable, *, scale: Scale | Sequence) -> AdditiveModel:
    """The fitted additive juror-effect model with its components (see `method_additive`)."""
    return method_additive(prepare_reviews(reviews, scale)).extra
