"""The official order with the round's tie rule, and every method side by side."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Any

import numpy as np
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from scipy.stats import rankdata

from .agreement import (
    Agreement,
    Leniency,
    compute_agreement,
    compute_distributions,
    compute_leniency,
)
from .common import (
    ADDITIVE,
    DIGITS,
    MEAN,
    METHOD_LABELS,
    METHODS,
    SCHULZE,
    MethodResult,
    Note,
    StrOrPromise,
    competition_ranks,
    display_decimals,
)
from .inputs import PreparedReviews, RankingInputError, Scale, prepare_reviews, to_decimal
from .methods import Memo, MethodCache, method_result
from .scores import AdditiveModel
from .uncertainty import (
    EntrySpread,
    RankInterval,
    bootstrap_intervals,
    bootstrap_source,
    compute_spreads,
)

ORGANISER = "organiser"
DEFAULT_TIE_BREAK = (SCHULZE, ORGANISER)


@dataclass(frozen=True)
class TieGroup:
    """Entries with equal official scores and how the round's tie rule ordered them.

    `order` lists the entries best first in groups; a group with more than one entry is still
    tied and needs an organiser decision with a written reason.
    """

    score: Decimal | None
    entries: tuple
    order: tuple[tuple, ...]
    broken_by: tuple[str, ...]
    needs_decision: bool
    text: StrOrPromise


@dataclass(frozen=True)
class OfficialRow:
    """One entry in the official order.

    `rank` is final (after the tie rule); `score_rank` is the rank by the official score alone;
    `decided_by` is None without a tie, else the tie-break method or "organiser".
    """

    rank: int
    entry_id: Hashable
    score: Decimal | None
    score_rank: int
    decided_by: str | None
    needs_decision: bool


@dataclass(frozen=True)
class OfficialRanking:
    method: str
    rows: tuple[OfficialRow, ...]
    ties: tuple[TieGroup, ...]
    close_calls: tuple[tuple, ...]
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class EntryRanking:
    """One entry with all methods side by side. `moved`: rank spread above the threshold."""

    entry_id: Hashable
    rank: int
    score: Decimal | None
    spread: EntrySpread
    scores: dict[str, Decimal | None]
    ranks: dict[str, int]
    rank_spread: int
    moved: bool
    interval: RankInterval | None
    component: int | None


@dataclass(frozen=True)
class RankingReport:
    method: str
    parameters: dict[str, Any]
    official: OfficialRanking
    entries: tuple[EntryRanking, ...]
    methods: dict[str, MethodResult]
    additive: AdditiveModel | None
    agreement: Agreement | None
    leniency: Leniency | None
    distributions: dict[Hashable, tuple[tuple[Decimal, int], ...]]
    moved: tuple
    notes: tuple[Note, ...]


def _check_tie_break(method: str, tie_break: Sequence[str]) -> tuple[str, ...]:
    rules = tuple(tie_break)
    for rule in rules:
        if rule != ORGANISER and rule not in METHODS:
            raise RankingInputError(f"unknown tie-break rule {rule!r}")
    if ORGANISER in rules[:-1]:
        raise RankingInputError("the organiser decision must be the last tie-break rule")
    return tuple(r for r in rules if r not in (ORGANISER, method))


def _break_tie(
    members: list[int], rules: Sequence[str], rule_ranks: Callable[[str], np.ndarray]
) -> tuple[list[list[int]], tuple[str, ...], dict[int, str]]:
    """Order tied entries by each rule in turn (its rank over all entries); still-tied groups
    go to the next rule. Returns the groups best first, the rules that split something, and per
    entry the rule that set it apart (or "organiser")."""
    parts, used = [members], []
    decided = dict.fromkeys(members, ORGANISER)
    for rule in rules:
        rank = rule_ranks(rule)
        split = []
        for part in parts:
            if len(part) == 1:
                split.append(part)
                continue
            by_rank: dict[int, list[int]] = {}
            for i in sorted(part, key=lambda i: (rank[i], i)):
                by_rank.setdefault(int(rank[i]), []).append(i)
            if len(by_rank) > 1:
                used.append(rule)
                for chunk in by_rank.values():
                    if len(chunk) == 1:
                        decided[chunk[0]] = rule
            split.extend(by_rank.values())
        parts = split
    return parts, tuple(dict.fromkeys(used)), decided


def _join_labels(used: tuple[str, ...]) -> str:
    return ", ".join(str(METHOD_LABELS[r]) for r in used)


_method_names = lazy(_join_labels, str)


def _apply_orders(
    parts: list[list[int]], entries: Sequence, orders: Mapping[frozenset, Sequence] | None
) -> tuple[list[list[int]], set[int]]:
    """Split still-tied parts by the organisers' recorded decisions (best first), when one
    exists for exactly that set of entries. Returns the parts and the indices so decided."""
    if not orders:
        return parts, set()
    split, decided = [], set()
    for part in parts:
        order = orders.get(frozenset(entries[i] for i in part)) if len(part) > 1 else None
        if order is None or len(order) != len(part):
            split.append(part)
            continue
        index = {entries[i]: i for i in part}
        split.extend([index[entry]] for entry in order)
        decided.update(part)
    return split, decided


def _tie_text(used: tuple[str, ...], needs_decision: bool, by_organisers: bool) -> StrOrPromise:
    names = _method_names(used)
    if by_organisers:
        if used:
            return format_lazy(
                _(
                    "Equal score. {methods} decides part of it; the organisers decided the "
                    "rest, with a written reason."
                ),
                methods=names,
            )
        return _("Equal score. The organisers decided, with a written reason.")
    if not needs_decision:
        return format_lazy(_("Equal score. Decided by {methods}."), methods=names)
    if used:
        return format_lazy(
            _(
                "Equal score. {methods} decides part of it. For the rest, the organisers "
                "decide and write down the reason."
            ),
            methods=names,
        )
    return _("Equal score. The organisers decide and write down the reason.")


def _official(
    d: PreparedReviews,
    cache: MethodCache,
    method: str,
    tie_break: Sequence[str],
    tie_precision: Decimal | None,
    organiser_orders: Mapping[frozenset, Sequence] | None = None,
) -> OfficialRanking:
    rules = _check_tie_break(method, tie_break)
    if organiser_orders and ORGANISER not in tie_break:
        raise RankingInputError("organiser decisions need the organiser tie-break rule")
    computed = cache(method)
    if tie_precision is None or method == SCHULZE:
        key = np.round(computed.values, DIGITS)
    else:
        shown = display_decimals(computed.values, tie_precision)
        key = np.array([np.nan if v is None else float(v) for v in shown])
    score_rank = rankdata(-np.where(np.isnan(key), -np.inf, key), method="min").astype(np.int64)
    rule_ranks = Memo(lambda rule: competition_ranks(cache(rule).values))
    position = np.zeros(d.n_entries, dtype=np.int64)  # place inside a broken tie
    decided_by: list[str | None] = [None] * d.n_entries
    needs_decision = [False] * d.n_entries
    ties = []
    by_rank = np.argsort(score_rank, kind="stable")
    _score_ranks, counts = np.unique(score_rank, return_counts=True)
    for members in np.split(by_rank, np.cumsum(counts)[:-1]):
        if members.size == 1:
            continue
        members = members.tolist()
        parts, used, decided = _break_tie(members, rules, rule_ranks)
        parts, by_organisers = _apply_orders(parts, d.entries, organiser_orders)
        for place, part in enumerate(parts):
            position[part] = place
            for i in part:
                decided_by[i] = decided[i]
                needs_decision[i] = decided[i] == ORGANISER and i not in by_organisers
        needs = any(len(p) > 1 for p in parts)
        ties.append(
            TieGroup(
                score=computed.scores[members[0]],
                entries=tuple(d.entries[i] for i in members),
                order=tuple(tuple(d.entries[i] for i in p) for p in parts),
                broken_by=used,
                needs_decision=needs,
                text=_tie_text(used, needs, bool(by_organisers)),
            )
        )
    combined = score_rank * (d.n_entries + 1) + position
    final = rankdata(combined, method="min").astype(np.int64)
    ordered = np.lexsort((np.arange(d.n_entries), combined))  # still tied: by entry id
    rows = tuple(
        OfficialRow(
            rank=int(final[i]),
            entry_id=d.entries[i],
            score=computed.scores[i],
            score_rank=int(score_rank[i]),
            decided_by=decided_by[i],
            needs_decision=needs_decision[i],
        )
        for i in ordered.tolist()
    )
    close_calls = tuple(
        (a.entry_id, b.entry_id)
        for a, b in pairwise(rows)
        if a.score is not None and a.score == b.score and a.score_rank != b.score_rank
    )
    notes = list(computed.notes)
    if close_calls:
        notes.append(
            Note(
                "close_call",
                _("These entries show the same score. The difference is after the second decimal."),
                close_calls,
            )
        )
    return OfficialRanking(method, rows, tuple(ties), close_calls, tuple(notes))


def official_ranking(
    reviews: Iterable,
    *,
    scale: Scale | Sequence,
    method: str = MEAN,
    tie_break: Sequence[str] = DEFAULT_TIE_BREAK,
    tie_precision: Decimal | None = None,
    trim_proportion: Decimal = Decimal("0.2"),
    trim_min_reviews: int = 5,
    organiser_orders: Mapping[frozenset, Sequence] | None = None,
) -> OfficialRanking:
    """The official order only: the official method, then the tie rule for equal scores.

    `tie_precision=None` compares full-precision values (equal to 9 decimals = tie); a quantum
    such as Decimal("0.01") compares the scores as shown instead. Tie-break methods are applied
    in turn, each ordering the still-tied entries by its own rank over all entries; what remains
    tied needs an organiser decision with a written reason: `organiser_orders` maps the set of
    tied entry ids to the order the organisers recorded (best first).
    """
    d = prepare_reviews(reviews, scale)
    options = {"trim_proportion": trim_proportion, "trim_min_reviews": trim_min_reviews}
    return _official(d, MethodCache(d, options), method, tie_break, tie_precision, organiser_orders)


def compute_ranking(
    reviews: Iterable,
    *,
    scale: Scale | Sequence,
    method: str = MEAN,
    methods: Sequence[str] | None = None,
    tie_break: Sequence[str] = DEFAULT_TIE_BREAK,
    tie_precision: Decimal | None = None,
    move_threshold: int = 3,
    trim_proportion: Decimal = Decimal("0.2"),
    trim_min_reviews: int = 5,
    bootstrap_resamples: int = 1000,
    coverage: Decimal = Decimal("0.90"),
    seed: int = 0,
    criterion_scales: Mapping[Hashable, Scale | Sequence] | None = None,
    include_agreement: bool = True,
    organiser_orders: Mapping[frozenset, Sequence] | None = None,
) -> RankingReport:
    """The official order (by `method`, ties by `tie_break`) and all `methods` side by side.

    Each entry gets its rank and score under every method, its spread (reviews, sd, range),
    a bootstrap rank interval under the official method (`bootstrap_resamples=0` skips it) and a
    `moved` flag when its ranks across the methods differ by more than `move_threshold` places.
    The report also holds the additive model (components, connectivity), Krippendorff's alpha
    overall and per criterion, juror leniency and the score distribution per criterion.
    """
    if method not in METHODS:
        raise RankingInputError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
    chosen = tuple(dict.fromkeys([method, *(METHODS if methods is None else methods)]))
    for name in chosen:
        if name not in METHODS:
            raise RankingInputError(f"unknown method {name!r}")
    if move_threshold < 0 or bootstrap_resamples < 0:
        raise RankingInputError("move_threshold and bootstrap_resamples cannot be negative")
    coverage = to_decimal(coverage, "coverage")
    if not Decimal(0) < coverage < Decimal(1):
        raise RankingInputError("coverage must lie between 0 and 1")
    d = prepare_reviews(reviews, scale, criterion_scales)
    parameters = {
        "method": method,
        "methods": chosen,
        "tie_break": tuple(tie_break),
        "tie_precision": tie_precision,
        "move_threshold": move_threshold,
        "trim_proportion": trim_proportion,
        "trim_min_reviews": trim_min_reviews,
        "bootstrap_resamples": bootstrap_resamples,
        "coverage": coverage,
        "seed": seed,
    }
    options = {"trim_proportion": trim_proportion, "trim_min_reviews": trim_min_reviews}
    cache = MethodCache(d, options)
    if not d.n_entries:
        empty = OfficialRanking(method, (), (), ())
        return RankingReport(method, parameters, empty, (), {}, None, None, None, {}, (), ())
    official = _official(d, cache, method, tie_break, tie_precision, organiser_orders)
    results = {name: method_result(d, name, cache(name)) for name in chosen}
    model = cache(ADDITIVE).extra if ADDITIVE in chosen else None
    notes: list[Note] = []
    intervals: Sequence[RankInterval | None] = [None] * d.n_entries
    if bootstrap_resamples:
        contributions, stat, extra = bootstrap_source(cache, method)
        notes.extend(extra)
        intervals = bootstrap_intervals(
            d, contributions, stat, resamples=bootstrap_resamples, coverage=coverage, seed=seed
        )
    spreads = compute_spreads(d)
    position = {entry: i for i, entry in enumerate(d.entries)}
    entries, moved = [], []
    for row in official.rows:
        i = position[row.entry_id]
        ranks = {name: results[name].ranks[row.entry_id] for name in chosen}
        rank_spread = max(ranks.values()) - min(ranks.values())
        if rank_spread > move_threshold:
            moved.append(row.entry_id)
        entries.append(
            EntryRanking(
                entry_id=row.entry_id,
                rank=row.rank,
                score=row.score,
                spread=spreads[i],
                scores={name: results[name].scores[row.entry_id] for name in chosen},
                ranks=ranks,
                rank_spread=rank_spread,
                moved=rank_spread > move_threshold,
                interval=intervals[i],
                component=model.entry_component[row.entry_id] if model else None,
            )
        )
    if moved:
        notes.append(
            Note(
                "rank_moves",
                format_lazy(
                    _("Across the methods, these entries are more than {count} places apart."),
                    count=move_threshold,
                ),
                tuple(moved),
            )
        )
    for name in chosen:
        notes.extend(results[name].notes)
    notes.extend(n for n in official.notes if n not in notes)
    return RankingReport(
        method=method,
        parameters=parameters,
        official=official,
        entries=tuple(entries),
        methods=results,
        additive=model,
        agreement=compute_agreement(d) if include_agreement else None,
        leniency=compute_leniency(d, model),
        distributions=compute_distributions(d),
        moved=tuple(moved),
        notes=tuple(dict.fromkeys(notes)),
    )
