"""Fair assignment of jurors to entries. Pure Python: no models, no database.

The problem
    Every entry gets exactly ``k`` distinct jurors. A juror never gets an entry they have a
    conflict with and never goes past their cap; an excluded juror (dropped out, recused) gets
    no new entries. ``fixed`` pairs (submitted reviews) always stay: they count towards the
    entry's ``k`` and the juror's load, and a cap only stops new work (a juror already past
    their cap keeps what they did). The loads of the active jurors are balanced, and the
    juror-entry graph should be connected so that harsh and lenient jurors can be compared
    through the entries they share.

The approach
    1. Checks without a solver: a kept pair with a conflict, an entry with more than ``k``
       kept reviews, entries with fewer than ``k`` possible jurors, caps that add up to less
       than the work. Each becomes a ``Reason`` (a code and its parameters) for the UI.
    2. One min-cost flow (OR-Tools ``SimpleMinCostFlow``): source -> entry (the reviews it
       still needs) -> juror (capacity 1 per allowed pair) -> sink. On the juror side a ladder
       of unit arcs makes a juror's t-th review cost ``big * t``: a convex cost, so the flow
       minimises the sum of squared loads. The load vectors that some assignment reaches are
       the integer bases of a polymatroid, where the least sum of squares is the fairest
       vector: it has the smallest maximum and the largest minimum load, and max - min <= 1
       whenever any assignment allows that (caps, conflicts and kept reviews can force more).
       The target share is (entries * k - kept reviews of excluded jurors) / active jurors;
       the ladder stops a little above it with one costlier overflow arc, and the solve is
       repeated with a longer ladder in the rare case that overflow arc is used.
    3. Entry -> juror arcs carry small costs whose total stays below ``big``, so balance
       always comes first: 0 for ``prefer`` pairs (the current, not yet submitted assignment
       when re-running), 2 for the rotating pattern, 4 to 7 (seeded noise) for other pairs.
       The pattern walks the active jurors in a seeded order: the i-th entry (in a seeded
       order) prefers jurors b, b + s, ..., b + (k - 1)s modulo the panel size, with
       b = i mod panel size, stride s = 1 in the first pass over the panel and other strides
       in later passes. Neighbouring entries share jurors (overlap), the strides make each
       juror meet many others (diversity), and every full pass gives each juror exactly k
       entries, so the pattern agrees with the balance.
    4. The result is verified and its connectivity checked (entries plus jurors with work).
       If it falls apart, swaps (j1, e1), (j2, e2) -> (j1, e2), (j2, e1) between two
       components repair it: loads and jurors per entry do not change, conflicts are checked,
       kept pairs never move. The swap merges both components when (j1, e1) lies on a cycle
       (is no bridge). Components that are all trees cannot be joined with the same number of
       pairs; then, or when conflicts block every swap, the report says the graph is split.
    5. When the flow falls short, a max flow (OR-Tools ``SimpleMaxFlow``) yields a minimum
       cut: a group of entries whose possible jurors can give fewer reviews than it needs.

The same input always gives the same output: ids are sorted, and the pattern and the noise
come from a generator seeded with ``seed``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import cast

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

ENTRY_TOO_FEW_JURORS = "entry_too_few_jurors"
CAPACITY_TOO_SMALL = "capacity_too_small"
GROUP_TOO_FEW_JURORS = "entries_share_too_few_jurors"
FIXED_PAIR_CONFLICTED = "fixed_pair_conflicted"
ENTRY_OVER_ASSIGNED = "entry_over_assigned"

COST_PREFER, COST_PATTERN, COST_OTHER, NOISE = 0, 2, 4, 4
LADDER_MARGIN = 2

_TEXTS = {
    ENTRY_TOO_FEW_JURORS: "entry {entry}: only {available} jurors available, {needed} needed "
    "({conflicted} with a conflict, {excluded} excluded, {full} at their cap)",
    CAPACITY_TOO_SMALL: "{needed} reviews needed, the jurors' caps allow {capacity}",
    GROUP_TOO_FEW_JURORS: "entries {entries} need {needed} reviews; "
    "their jurors {jurors} can give at most {capacity}",
    FIXED_PAIR_CONFLICTED: "juror {juror} has a kept review of entry {entry} and a conflict",
    ENTRY_OVER_ASSIGNED: "entry {entry} has {assigned} kept reviews, {needed} needed",
}


@dataclass(frozen=True)
class Reason:
    """Why no assignment exists: a code and its parameters, for the UI to translate."""

    code: str
    params: dict[str, object]

    def __str__(self) -> str:  # English, for logs and tests; the UI translates the code
        return _TEXTS[self.code].format(**self.params)


@dataclass(frozen=True)
class Infeasible:
    reasons: tuple[Reason, ...]
    shortfall: int | None  # reviews that no assignment can place; None if the input conflicts

    @property
    def entries(self) -> tuple[int, ...]:
        """Entries named by the reasons: those that cannot get their k jurors."""
        named: set[int] = set()
        for reason in self.reasons:
            named.update(cast("Iterable[int]", reason.params.get("entries", ())))
            if "entry" in reason.params:
                named.add(cast(int, reason.params["entry"]))
        return tuple(sorted(named))


@dataclass(frozen=True)
class Report:
    pairs: int  # entries * k
    kept: int  # fixed pairs, all kept
    kept_preferred: int  # prefer pairs that stayed
    target_min: int  # balanced share of an active juror
    target_max: int
    min_load: int  # over active jurors
    max_load: int
    conflicts_avoided: int  # conflicted (juror, entry) pairs inside this panel
    connected: bool  # entries and jurors with work form one graph
    components: int
    swaps: int  # connectivity repairs
    shared_juror_pairs: int  # distinct juror pairs that review at least one entry together

    @property
    def load_spread(self) -> int:
        return self.max_load - self.min_load

    @property
    def balanced(self) -> bool:
        return self.load_spread <= 1


@dataclass(frozen=True)
class Proposal:
    by_entry: dict[int, tuple[int, ...]]  # entry -> sorted juror ids
    loads: dict[int, int]  # every panel juror, excluded ones included
    report: Report

    def pairs(self) -> set[tuple[int, int]]:
        """All (juror, entry) pairs."""
        return {(j, e) for e, jurors in self.by_entry.items() for j in jurors}


def solve_assignment(
    *,
    entries: Iterable[int],
    jurors: Iterable[int],
    k: int,
    conflicts: Iterable[tuple[int, int]] = (),
    caps: Mapping[int, int] | None = None,
    fixed: Iterable[tuple[int, int]] = (),
    excluded: Iterable[int] = (),
    prefer: Iterable[tuple[int, int]] = (),
    seed: int = 0,
) -> Proposal | Infeasible:
    """Assign ``k`` jurors to every entry; pairs are (juror, entry).

    ``conflicts`` and ``prefer`` may name ids outside the panel (they are ignored); ``fixed``,
    ``caps`` and ``excluded`` must name panel members. Raises ValueError for malformed input.
    """
    p = _Panel(entries, jurors, k, conflicts, caps or {}, fixed, excluded, prefer)
    contradictions = p.contradictions()
    if contradictions:
        return Infeasible(reasons=tuple(contradictions), shortfall=None)
    reasons = p.obstacles()
    if reasons:
        return p.explain(reasons)
    chosen = p.min_cost_flow(p.arc_costs(seed))
    if chosen is None:
        return p.explain([])
    edges = {(int(j), int(i)) for i, j in zip(*chosen, strict=True)}
    edges |= {(int(j), int(i)) for i, j in zip(*np.nonzero(p.fixed), strict=True)}
    swaps, components = _connect(p, edges)
    return p.result(edges, swaps, components)


class _Panel:
    """The input in index space: entries 0..n-1 and jurors 0..m-1 in id order."""

    def __init__(self, entries, jurors, k, conflicts, caps, fixed, excluded, prefer) -> None:
        self.entry_ids, self.juror_ids = _unique_sorted(entries), _unique_sorted(jurors)
        if k < 1:
            raise ValueError("k must be at least 1")
        self.k, self.n, self.m = k, len(self.entry_ids), len(self.juror_ids)
        e_at = {e: i for i, e in enumerate(self.entry_ids)}
        j_at = {j: i for i, j in enumerate(self.juror_ids)}
        self.conflict = np.zeros((self.n, self.m), bool)
        self.fixed = np.zeros((self.n, self.m), bool)
        self.prefer = np.zeros((self.n, self.m), bool)
        for matrix, pairs, strict in (
            (self.conflict, conflicts, False),
            (self.prefer, prefer, False),
            (self.fixed, fixed, True),
        ):
            for j, e in pairs:
                if j in j_at and e in e_at:
                    matrix[e_at[e], j_at[j]] = True
                elif strict:
                    raise ValueError(f"fixed pair ({j}, {e}) is outside the panel")
        self.active = np.ones(self.m, bool)
        for j in excluded:
            if j not in j_at:
                raise ValueError(f"excluded juror {j} is not in the panel")
            self.active[j_at[j]] = False
        self.fixed_load = self.fixed.sum(axis=0)
        self.fixed_count = self.fixed.sum(axis=1)
        self.capped = np.zeros(self.m, bool)
        room = np.full(self.m, self.n)
        for j, cap in caps.items():
            if j not in j_at or cap < 0:
                raise ValueError(f"cap {cap} of juror {j} is not valid")
            self.capped[j_at[j]] = True
            room[j_at[j]] = max(0, cap - self.fixed_load[j_at[j]])
        self.room = np.where(self.active, room, 0)  # new reviews a juror may still take
        free = ~self.conflict & ~self.fixed
        self.allowed = free & (self.active & (self.room > 0))[None, :]
        self.need = np.maximum(0, self.k - self.fixed_count)
        self.ladder = np.minimum(self.room, self.allowed.sum(axis=0))
        self.ma = int(self.active.sum())
        work = self.n * self.k - int(self.fixed_load[~self.active].sum())
        self.target_min = work // self.ma if self.ma else 0
        self.target_max = -(-work // self.ma) if self.ma else 0

    def contradictions(self) -> list[Reason]:
        reasons = [
            Reason(FIXED_PAIR_CONFLICTED, {"juror": self.juror_ids[j], "entry": self.entry_ids[i]})
            for i, j in zip(*np.nonzero(self.fixed & self.conflict), strict=True)
        ]
        for i in np.flatnonzero(self.fixed_count > self.k):
            params = {"entry": self.entry_ids[i], "assigned": int(self.fixed_count[i])}
            reasons.append(Reason(ENTRY_OVER_ASSIGNED, params | {"needed": self.k}))
        return reasons

    def obstacles(self) -> list[Reason]:
        """Entries with too few possible jurors, and caps that add up to too little."""
        reasons = []
        free = ~self.conflict & ~self.fixed
        counts = {
            "conflicted": self.conflict.sum(axis=1),
            "excluded": (free & ~self.active[None, :]).sum(axis=1),
            "full": (free & (self.active & (self.room == 0))[None, :]).sum(axis=1),
        }
        possible = self.allowed.sum(axis=1)
        for i in np.flatnonzero(possible < self.need):
            params: dict[str, object] = {
                "entry": self.entry_ids[i],
                "available": int(possible[i] + self.fixed_count[i]),
            }
            params |= {"needed": self.k} | {key: int(c[i]) for key, c in counts.items()}
            reasons.append(Reason(ENTRY_TOO_FEW_JURORS, params))
        needed, capacity = int(self.need.sum()), int(self.room.sum())
        if self.ma and self.capped[self.active].all() and capacity < needed:
            reasons.append(Reason(CAPACITY_TOO_SMALL, {"needed": needed, "capacity": capacity}))
        return reasons

    def explain(self, reasons: list[Reason]) -> Infeasible:
        """Add the group that a minimum cut shows, beyond entries already named."""
        want = np.minimum(self.need, self.allowed.sum(axis=1))
        flow = max_flow.SimpleMaxFlow()
        tails, heads, caps = self._network(want)
        flow.add_arcs_with_capacity(tails, heads, caps)
        if flow.solve(0, self.n + self.m + 1) != flow.OPTIMAL:
            raise RuntimeError("max flow failed")
        placed = flow.optimal_flow()
        if placed < want.sum():
            side = np.zeros(self.n + self.m + 2, bool)
            side[np.asarray(flow.get_source_side_min_cut(), dtype=int)] = True
            group = side[1 : self.n + 1] & (want > 0)
            in_cut = side[self.n + 1 : -1]
            crossing = int((self.allowed[group] & ~in_cut[None, :]).sum())
            everything = group.sum() == (want > 0).sum()
            if not (everything and any(r.code == CAPACITY_TOO_SMALL for r in reasons)):
                reasons.append(
                    Reason(
                        GROUP_TOO_FEW_JURORS,
                        {
                            "entries": [self.entry_ids[i] for i in np.flatnonzero(group)],
                            "jurors": [
                                self.juror_ids[j]
                                for j in np.flatnonzero(self.allowed[group].any(axis=0))
                            ],
                            "needed": int(want[group].sum()),
                            "capacity": int(self.ladder[in_cut].sum()) + crossing,
                        },
                    )
                )
        return Infeasible(reasons=tuple(reasons), shortfall=int(self.need.sum()) - placed)

    def _network(self, want):
        """Arcs source -> entry -> juror -> sink (nodes 0, 1..n, n+1..n+m, n+m+1)."""
        ei, ji = np.nonzero(self.allowed)
        entries, jurors = np.arange(self.n), np.arange(self.m)
        tails = np.concatenate([np.zeros(self.n, int), 1 + ei, 1 + self.n + jurors])
        heads = np.concatenate([1 + entries, 1 + self.n + ji, np.full(self.m, self.n + self.m + 1)])
        caps = np.concatenate([want, np.ones(len(ei), int), self.ladder])
        return tails, heads, caps

    def arc_costs(self, seed: int) -> np.ndarray:
        """Small costs per (entry, juror): prefer < rotating pattern < the rest (seeded)."""
        rng = np.random.default_rng(seed)
        costs = COST_OTHER + rng.integers(0, NOISE, size=(self.n, self.m))
        if self.ma and self.n:
            order = rng.permutation(np.flatnonzero(self.active))
            coprime = [
                s
                for s in range(2, self.ma // 2 + 1)
                if all(r * s % self.ma for r in range(1, self.k))
            ]
            strides = np.array([1, *rng.permutation(coprime).tolist()])
            pos = np.arange(self.n)
            stride = strides[(pos // self.ma) % len(strides)]
            cols = (pos[:, None] % self.ma + stride[:, None] * np.arange(self.k)) % self.ma
            rows = np.repeat(rng.permutation(self.n), self.k)
            costs[rows, order[cols.ravel()]] = COST_PATTERN
        costs[self.prefer] = COST_PREFER
        return costs

    def min_cost_flow(self, costs: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(entry, juror) index arrays of the new pairs, or None when the flow falls short."""
        needed = int(self.need.sum())
        tails, heads, caps = self._network(self.need)
        ei, ji = np.nonzero(self.allowed)
        big = (COST_OTHER + NOISE) * needed + 1
        top = self.target_max + LADDER_MARGIN
        while True:
            ladder_t, ladder_cap, ladder_cost, overflow = [], [], [], []
            for j in np.flatnonzero(self.ladder):
                low, high = int(self.fixed_load[j]), int(self.fixed_load[j] + self.ladder[j])
                levels = range(low + 1, min(high, top) + 1)
                ladder_t += [j] * len(levels)
                ladder_cap += [1] * len(levels)
                ladder_cost += [big * t for t in levels]
                if high > max(top, low):
                    overflow.append(len(ladder_t))
                    ladder_t.append(j)
                    ladder_cap.append(high - max(top, low))
                    ladder_cost.append(big * (max(top, low) + 1))
            cut = self.n + len(ei)
            flow = min_cost_flow.SimpleMinCostFlow()
            flow.add_arcs_with_capacity_and_unit_cost(
                np.concatenate([tails[:cut], 1 + self.n + np.array(ladder_t, int)]),
                np.concatenate([heads[:cut], np.full(len(ladder_t), self.n + self.m + 1)]),
                np.concatenate([caps[:cut], np.array(ladder_cap, int)]),
                np.concatenate([np.zeros(self.n, int), costs[ei, ji], np.array(ladder_cost, int)]),
            )
            flow.set_node_supply(0, needed)
            flow.set_node_supply(self.n + self.m + 1, -needed)
            if flow.solve_max_flow_with_min_cost() != flow.OPTIMAL:
                raise RuntimeError("min-cost flow failed")
            if flow.maximum_flow() < needed:
                return None
            if overflow and flow.flows(cut + np.array(overflow)).any():
                top *= 2  # a juror went past the ladder: its cost was not convex there
                continue
            chosen = flow.flows(np.arange(self.n, cut)) > 0
            return ei[chosen], ji[chosen]

    def result(self, edges: set[tuple[int, int]], swaps: int, components: int) -> Proposal:
        by_entry: list[list[int]] = [[] for _ in range(self.n)]
        loads = np.zeros(self.m, int)
        for j, i in edges:
            by_entry[i].append(self.juror_ids[j])
            loads[j] += 1
        pairs = np.zeros((self.n, self.m), bool)
        for j, i in edges:
            pairs[i, j] = True
        over_cap = self.capped & (loads > np.maximum(self.room + self.fixed_load, self.fixed_load))
        if (
            any(len(js) != self.k for js in by_entry)
            or (pairs & self.conflict).any()
            or (self.fixed & ~pairs).any()
            or (pairs & ~self.fixed & ~self.active[None, :]).any()
            or over_cap.any()
        ):
            raise RuntimeError("the assignment breaks a rule")  # a bug, never bad input
        active_loads = loads[self.active]
        shared = {duo for js in by_entry for duo in combinations(sorted(js), 2)}
        report = Report(
            pairs=len(edges),
            kept=int(self.fixed.sum()),
            kept_preferred=int((pairs & self.prefer & self.allowed).sum()),
            target_min=self.target_min,
            target_max=self.target_max,
            min_load=int(active_loads.min()) if self.ma else 0,
            max_load=int(active_loads.max(initial=0)),
            conflicts_avoided=int(self.conflict.sum()),
            connected=components <= 1,
            components=components,
            swaps=swaps,
            shared_juror_pairs=len(shared),
        )
        return Proposal(
            by_entry={e: tuple(sorted(js)) for e, js in zip(self.entry_ids, by_entry, strict=True)},
            loads={j: int(load) for j, load in zip(self.juror_ids, loads, strict=True)},
            report=report,
        )


def _unique_sorted(ids: Iterable[int]) -> list[int]:
    ids = list(ids)
    unique = sorted(set(ids))
    if len(unique) != len(ids):
        raise ValueError("ids must be unique")
    return unique


def _components(n: int, m: int, edges: set[tuple[int, int]]) -> tuple[int, np.ndarray]:
    """Components of entries plus jurors with work; node i is entry i, node n + j juror j."""
    if not edges:  # no entries (each entry has k >= 1 jurors)
        return 0, np.zeros(n + m, int)
    js, es = (np.array(x, int) for x in zip(*edges, strict=True))
    graph = coo_matrix((np.ones(len(es)), (es, n + js)), shape=(n + m, n + m))
    _, labels = connected_components(graph, directed=False)
    used = np.zeros(n + m, bool)
    used[:n] = True
    used[n + js] = True
    return len(set(labels[used].tolist())), labels


def _bridges(n: int, m: int, edges: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """Edges (juror, entry) whose removal splits their component (Tarjan, iterative)."""
    adj: list[list[tuple[int, int]]] = [[] for _ in range(n + m)]
    for eid, (j, i) in enumerate(edges):
        adj[i].append((n + j, eid))
        adj[n + j].append((i, eid))
    disc, low, clock, found = [-1] * (n + m), [0] * (n + m), 0, set()
    for root in range(n + m):
        if disc[root] != -1 or not adj[root]:
            continue
        disc[root] = low[root] = clock
        clock += 1
        stack = [(root, -1, iter(adj[root]))]
        while stack:
            node, via, arcs = stack[-1]
            for nxt, eid in arcs:
                if eid == via:
                    continue
                if disc[nxt] == -1:
                    disc[nxt] = low[nxt] = clock
                    clock += 1
                    stack.append((nxt, eid, iter(adj[nxt])))
                    break
                low[node] = min(low[node], disc[nxt])
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > disc[parent]:
                        found.add(edges[via])
    return found


def _connect(p: _Panel, edges: set[tuple[int, int]]) -> tuple[int, int]:
    """Join components with load-keeping swaps, in place; return (swaps, components left)."""
    swaps = 0
    while True:
        count, labels = _components(p.n, p.m, edges)
        if count <= 1:
            return swaps, count
        ordered = sorted(edges, key=lambda edge: (edge[1], edge[0]))
        bridges = _bridges(p.n, p.m, ordered)
        movable = [(j, i) for j, i in ordered if not p.fixed[i, j]]
        swap = next(
            (
                ((j1, e1), (j2, e2))
                for j1, e1 in movable
                if (j1, e1) not in bridges
                for j2, e2 in movable
                if labels[e2] != labels[e1] and not p.conflict[e2, j1] and not p.conflict[e1, j2]
            ),
            None,
        )
        if swap is None:
            return swaps, count
        (j1, e1), (j2, e2) = swap
        edges -= {(j1, e1), (j2, e2)}
        edges |= {(j1, e2), (j2, e1)}
        swaps += 1
