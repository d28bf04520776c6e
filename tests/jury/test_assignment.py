"""The jury assignment solver (jury/compute/solver.py): pure functions, no database.

The property tests check the solver against an independent feasibility test: a circulation
with lower bounds solved by scipy's push-relabel/Edmonds-Karp ``maximum_flow``, built from the
raw input (kept pairs as arcs with lower bound 1), not from the solver's network.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, maximum_flow

from jury.compute.solver import (
    CAPACITY_TOO_SMALL,
    ENTRY_OVER_ASSIGNED,
    ENTRY_TOO_FEW_JURORS,
    FIXED_PAIR_CONFLICTED,
    GROUP_TOO_FEW_JURORS,
    Infeasible,
    Proposal,
    Reason,
    solve_assignment,
)

# --- An independent check -------------------------------------------------------------------


@dataclass
class Case:
    entries: list[int]
    jurors: list[int]
    k: int
    conflicts: set[tuple[int, int]] = field(default_factory=set)
    caps: dict[int, int] = field(default_factory=dict)
    fixed: set[tuple[int, int]] = field(default_factory=set)
    excluded: set[int] = field(default_factory=set)
    prefer: set[tuple[int, int]] = field(default_factory=set)
    seed: int = 0

    def solve(self):
        return solve_assignment(
            entries=self.entries,
            jurors=self.jurors,
            k=self.k,
            conflicts=self.conflicts,
            caps=self.caps,
            fixed=self.fixed,
            excluded=self.excluded,
            prefer=self.prefer,
            seed=self.seed,
        )

    def fixed_load(self, juror: int) -> int:
        return sum(1 for j, _ in self.fixed if j == juror)

    def max_load(self, juror: int) -> int:
        """Caps stop new work only: a juror past their cap keeps their kept reviews."""
        cap = self.caps.get(juror, len(self.entries))
        return max(cap, self.fixed_load(juror))

    def active(self) -> list[int]:
        return [j for j in self.jurors if j not in self.excluded]

    def targets(self) -> tuple[int, int]:
        work = len(self.entries) * self.k - sum(self.fixed_load(j) for j in self.excluded)
        active = len(self.active())
        return work // active, -(-work // active)


def exists(
    case: Case, *, lower: int = 0, upper: int | None = None, only: list[int] | None = None
) -> bool:
    """Is there an assignment where every active juror's load lies in [lower, upper]?

    Circulation with lower bounds: s -> entry exactly k, entry -> juror 1 (exactly 1 for kept
    pairs), juror -> t within the juror's bounds, t -> s unbounded; feasible when a max flow
    from a super source saturates every lower bound. With ``only``, the other entries keep
    their kept reviews and need nothing more.
    """
    if any(pair in case.conflicts for pair in case.fixed):
        return False
    node = {("e", e): i for i, e in enumerate(case.entries)}
    node |= {("j", j): len(node) + i for i, j in enumerate(case.jurors)}
    s, t, super_s, super_t = len(node), len(node) + 1, len(node) + 2, len(node) + 3
    arcs: list[tuple[int, int, int, int]] = []  # tail, head, low, high
    big = len(case.entries) * case.k + 1
    for e in case.entries:
        open_entry = only is None or e in only
        wanted = case.k if open_entry else sum(1 for _, x in case.fixed if x == e)
        arcs.append((s, node["e", e], wanted, wanted))
        for j in case.jurors:
            if (j, e) in case.fixed:
                arcs.append((node["e", e], node["j", j], 1, 1))
            elif (j, e) not in case.conflicts and j not in case.excluded and open_entry:
                arcs.append((node["e", e], node["j", j], 0, 1))
    for j in case.jurors:
        high = case.max_load(j)
        if j in case.excluded:
            low = high = case.fixed_load(j)
        else:
            low, high = lower, high if upper is None else min(high, upper)
        if low > high:
            return False
        arcs.append((node["j", j], t, low, high))
    arcs.append((t, s, 0, big))
    excess = [0] * (len(node) + 4)
    capacity: dict[tuple[int, int], int] = {}
    for tail, head, low, high in arcs:
        capacity[tail, head] = capacity.get((tail, head), 0) + high - low
        excess[head] += low
        excess[tail] -= low
    for v, amount in enumerate(excess):
        if amount > 0:
            capacity[super_s, v] = amount
        elif amount < 0:
            capacity[v, super_t] = -amount
    tails, heads = zip(*capacity, strict=True)
    graph = csr_matrix(
        (np.array(list(capacity.values()), np.int32), (tails, heads)), shape=(super_t + 1,) * 2
    )
    flow = maximum_flow(graph, super_s, super_t).flow_value
    return flow == sum(amount for amount in excess if amount > 0)


def graph_is_connected(result: Proposal) -> bool:
    ids = {("e", e) for e in result.by_entry} | {("j", j) for j, n in result.loads.items() if n}
    index = {key: i for i, key in enumerate(sorted(ids))}
    rows = [index["e", e] for e, js in result.by_entry.items() for _ in js]
    cols = [index["j", j] for js in result.by_entry.values() for j in js]
    graph = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(index),) * 2)
    return connected_components(graph, directed=False)[0] <= 1


def assert_follows_rules(case: Case, result: Proposal) -> None:
    assert sorted(result.by_entry) == sorted(case.entries)
    for e, js in result.by_entry.items():
        assert len(js) == case.k == len(set(js))
        assert list(js) == sorted(js)
        assert set(js) <= set(case.jurors)
        assert not {(j, e) for j in js} & case.conflicts
    pairs = result.pairs()
    assert case.fixed <= pairs
    for j in case.jurors:
        assert result.loads[j] == sum(1 for juror, _ in pairs if juror == j)
        assert result.loads[j] <= case.max_load(j)
        if j in case.excluded:
            assert {pair for pair in pairs if pair[0] == j} == {
                pair for pair in case.fixed if pair[0] == j
            }


# --- Exact small cases -----------------------------------------------------------------------


def test_solve_assignment_conflicts_force_the_only_answer():
    case = Case(entries=[10, 11, 12], jurors=[1, 2, 3], k=2, conflicts={(1, 10), (2, 11), (3, 12)})

    result = case.solve()

    assert result.by_entry == {10: (2, 3), 11: (1, 3), 12: (1, 2)}
    assert result.loads == {1: 2, 2: 2, 3: 2}
    assert result.report.conflicts_avoided == 3
    assert result.report.connected is True


def test_solve_assignment_k_equal_to_panel_gives_everyone_everything():
    result = Case(entries=[1, 2, 3, 4], jurors=[7, 8, 9], k=3).solve()

    assert result.by_entry == {e: (7, 8, 9) for e in (1, 2, 3, 4)}
    assert result.loads == {7: 4, 8: 4, 9: 4}


def test_solve_assignment_without_conflicts_balances_loads_to_target():
    result = Case(entries=list(range(10)), jurors=[1, 2, 3, 4], k=3).solve()

    assert sorted(result.loads.values()) == [7, 7, 8, 8]
    report = result.report
    assert (report.pairs, report.target_min, report.target_max) == (30, 7, 8)
    assert (report.min_load, report.max_load, report.balanced) == (7, 8, True)


def test_solve_assignment_preference_never_beats_balance():
    prefer = {(1, e) for e in range(10)}  # everything to juror 1, if balance allowed it

    result = Case(entries=list(range(10)), jurors=[1, 2, 3, 4], k=1, prefer=prefer).solve()

    assert result.loads[1] == 3
    assert sorted(result.loads.values()) == [2, 2, 3, 3]
    assert result.report.kept_preferred == 3


def test_solve_assignment_no_entries_is_empty_and_feasible():
    result = Case(entries=[], jurors=[1, 2], k=2).solve()

    assert result.by_entry == {}
    assert result.loads == {1: 0, 2: 0}
    assert (result.report.pairs, result.report.components) == (0, 0)


def test_solve_assignment_same_input_in_other_order_gives_same_result():
    rng = random.Random(5)
    entries, jurors = list(range(40)), list(range(100, 112))
    conflicts = {(j, e) for j in jurors for e in entries if rng.random() < 0.2}
    first = Case(entries=entries, jurors=jurors, k=3, conflicts=conflicts).solve()

    again = Case(
        entries=entries[::-1], jurors=jurors[::-1], k=3, conflicts=set(sorted(conflicts)[::-1])
    ).solve()

    assert again == first


def test_solve_assignment_large_panel_divisible_by_k_stays_connected():
    # 12 jurors in blocks of 3 would split into 4 groups; the rotating pattern keeps overlap.
    result = Case(entries=list(range(60)), jurors=list(range(12)), k=3).solve()

    assert set(result.loads.values()) == {15}
    assert result.report.connected is True
    assert graph_is_connected(result)
    assert result.report.shared_juror_pairs > 12


# --- Re-runs, exclusions, caps ---------------------------------------------------------------


def test_solve_assignment_rerun_keeps_fixed_pairs_and_moves_open_work():
    entries, jurors = list(range(10, 22)), [1, 2, 3, 4]
    first = Case(entries=entries, jurors=jurors, k=2).solve()
    assert set(first.loads.values()) == {6}
    of_juror_4 = sorted(e for e, js in first.by_entry.items() if 4 in js)
    submitted = {(4, e) for e in of_juror_4[:2]} | {
        (1, e) for e, js in first.by_entry.items() if 1 in js
    }
    still_open = {pair for pair in first.pairs() if pair[0] != 4} - submitted

    rerun = Case(
        entries=entries, jurors=jurors, k=2, fixed=submitted, excluded={4}, prefer=still_open
    ).solve()

    assert submitted <= rerun.pairs()
    assert still_open <= rerun.pairs()  # only juror 4's open work moved
    assert {e for e, js in rerun.by_entry.items() if 4 in js} == set(of_juror_4[:2])
    assert rerun.loads[4] == 2
    assert sorted(rerun.loads[j] for j in (1, 2, 3)) == [7, 7, 8]
    assert (rerun.report.kept, rerun.report.kept_preferred) == (8, len(still_open))


def test_solve_assignment_kept_review_of_dropped_juror_fills_one_seat():
    case = Case(entries=[10, 11], jurors=[1, 2, 3], k=2, fixed={(3, 10)}, excluded={3})

    result = case.solve()

    assert result.by_entry[11] == (1, 2)
    assert 3 in result.by_entry[10]
    assert (result.loads[3], result.loads[1] + result.loads[2]) == (1, 3)
    assert_follows_rules(case, result)


def test_solve_assignment_excluded_juror_gets_nothing():
    case = Case(entries=list(range(9)), jurors=[1, 2, 3, 4], k=2, excluded={2})

    result = case.solve()

    assert result.loads == {1: 6, 2: 0, 3: 6, 4: 6}
    assert all(2 not in js for js in result.by_entry.values())


def test_solve_assignment_caps_respected_and_rest_balanced():
    case = Case(entries=list(range(10)), jurors=[1, 2, 3, 4], k=2, caps={1: 1})

    result = case.solve()

    assert result.loads[1] == 1
    assert sorted(result.loads[j] for j in (2, 3, 4)) == [6, 6, 7]
    assert (result.report.min_load, result.report.max_load, result.report.balanced) == (1, 7, False)
    assert_follows_rules(case, result)


def test_solve_assignment_cap_below_kept_reviews_stops_new_work_only():
    fixed = {(1, 10), (1, 11), (1, 12)}
    case = Case(entries=[10, 11, 12, 13], jurors=[1, 2, 3], k=1, caps={1: 2}, fixed=fixed)

    result = case.solve()

    assert result.loads == {1: 3, 2: 1, 3: 0} or result.loads == {1: 3, 2: 0, 3: 1}
    assert_follows_rules(case, result)


# --- Connectivity ----------------------------------------------------------------------------


def test_solve_assignment_split_preference_repaired_by_swap():
    # Keeping these preferred pairs is perfectly balanced but splits the jurors in two groups.
    prefer = {(1, 10), (2, 10), (1, 11), (2, 11), (3, 12), (4, 12), (3, 13), (4, 13)}
    case = Case(entries=[10, 11, 12, 13], jurors=[1, 2, 3, 4], k=2, prefer=prefer)

    result = case.solve()

    assert result.loads == {1: 2, 2: 2, 3: 2, 4: 2}
    assert (result.report.connected, result.report.components, result.report.swaps) == (True, 1, 1)
    assert graph_is_connected(result)
    assert len(result.pairs() & prefer) == 6


def test_solve_assignment_conflicts_that_split_panel_reported_unconnected():
    conflicts = {(3, 10), (4, 10), (1, 11), (2, 11)}
    case = Case(entries=[10, 11], jurors=[1, 2, 3, 4], k=2, conflicts=conflicts)

    result = case.solve()

    assert result.by_entry == {10: (1, 2), 11: (3, 4)}
    assert (result.report.connected, result.report.components, result.report.swaps) == (False, 2, 0)


def test_solve_assignment_kept_pairs_never_swapped_for_connectivity():
    fixed = {(1, 10), (2, 10), (1, 11), (2, 11), (3, 12), (4, 12), (3, 13), (4, 13)}
    case = Case(entries=[10, 11, 12, 13], jurors=[1, 2, 3, 4], k=2, fixed=fixed)

    result = case.solve()

    assert result.pairs() == fixed
    assert (result.report.connected, result.report.components) == (False, 2)


# --- Infeasible cases with their explanation -------------------------------------------------


def test_solve_assignment_entry_with_too_few_jurors_explained():
    case = Case(entries=[17, 18], jurors=[1, 2, 3], k=3, conflicts={(3, 17)})

    result = case.solve()

    params = {"entry": 17, "available": 2, "needed": 3, "conflicted": 1, "excluded": 0, "full": 0}
    assert result == Infeasible(reasons=(Reason(ENTRY_TOO_FEW_JURORS, params),), shortfall=1)
    assert result.entries == (17,)
    assert str(result.reasons[0]) == (
        "entry 17: only 2 jurors available, 3 needed "
        "(1 with a conflict, 0 excluded, 0 at their cap)"
    )


def test_solve_assignment_excluded_and_full_jurors_explained_per_entry():
    case = Case(
        entries=[5], jurors=[1, 2, 3, 4], k=2, conflicts={(1, 5)}, caps={2: 0}, excluded={3}
    )

    result = case.solve()

    params = {"entry": 5, "available": 1, "needed": 2, "conflicted": 1, "excluded": 1, "full": 1}
    assert result == Infeasible(reasons=(Reason(ENTRY_TOO_FEW_JURORS, params),), shortfall=1)


def test_solve_assignment_caps_too_small_explained():
    case = Case(entries=[10, 11, 12], jurors=[1, 2], k=1, caps={1: 1, 2: 1})

    result = case.solve()

    reason = Reason(CAPACITY_TOO_SMALL, {"needed": 3, "capacity": 2})
    assert result == Infeasible(reasons=(reason,), shortfall=1)
    assert str(reason) == "3 reviews needed, the jurors' caps allow 2"


def test_solve_assignment_group_sharing_capped_jurors_explained():
    # Entries 10-12 can only go to jurors 1 and 2 (caps 2 each): 6 reviews needed, 4 possible.
    conflicts = {(j, e) for j in (3, 4, 5, 6) for e in (10, 11, 12)}
    conflicts |= {(j, e) for j in (1, 2) for e in (13, 14)}
    case = Case(
        entries=[10, 11, 12, 13, 14],
        jurors=[1, 2, 3, 4, 5, 6],
        k=2,
        conflicts=conflicts,
        caps={1: 2, 2: 2},
    )

    result = case.solve()

    params = {"entries": [10, 11, 12], "jurors": [1, 2], "needed": 6, "capacity": 4}
    assert result == Infeasible(reasons=(Reason(GROUP_TOO_FEW_JURORS, params),), shortfall=2)
    assert result.entries == (10, 11, 12)


def test_solve_assignment_kept_pair_with_conflict_explained():
    case = Case(entries=[10, 11], jurors=[1, 2], k=1, conflicts={(1, 10)}, fixed={(1, 10)})

    result = case.solve()

    reason = Reason(FIXED_PAIR_CONFLICTED, {"juror": 1, "entry": 10})
    assert result == Infeasible(reasons=(reason,), shortfall=None)


def test_solve_assignment_entry_with_more_kept_reviews_than_k_explained():
    case = Case(entries=[10], jurors=[1, 2], k=1, fixed={(1, 10), (2, 10)})

    result = case.solve()

    reason = Reason(ENTRY_OVER_ASSIGNED, {"entry": 10, "assigned": 2, "needed": 1})
    assert result == Infeasible(reasons=(reason,), shortfall=None)


def test_solve_assignment_everyone_excluded_explained_per_entry():
    result = Case(entries=[10], jurors=[1, 2], k=1, excluded={1, 2}).solve()

    params = {"entry": 10, "available": 0, "needed": 1, "conflicted": 0, "excluded": 2, "full": 0}
    assert result == Infeasible(reasons=(Reason(ENTRY_TOO_FEW_JURORS, params),), shortfall=1)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"k": 0},
        {"entries": [1, 1]},
        {"jurors": [5, 5]},
        {"fixed": [(9, 1)]},
        {"excluded": [9]},
        {"caps": {9: 1}},
        {"caps": {5: -1}},
    ],
)
def test_solve_assignment_malformed_input_raises_value_error(kwargs):
    with pytest.raises(ValueError):
        solve_assignment(**({"entries": [1, 2], "jurors": [5, 6], "k": 1} | kwargs))


# --- Properties ------------------------------------------------------------------------------


@st.composite
def cases(draw) -> Case:
    m = draw(st.integers(1, 7))
    n = draw(st.integers(0, 8))
    jurors, entries = list(range(100, 100 + m)), list(range(n))
    pairs = [(j, e) for j in jurors for e in entries]
    density = draw(st.sampled_from([0.0, 0.1, 0.3, 0.6]))
    flags = draw(st.lists(st.floats(0, 1), min_size=len(pairs), max_size=len(pairs)))
    conflicts = {pair for pair, flag in zip(pairs, flags, strict=True) if flag < density}
    free = [pair for pair in pairs if pair not in conflicts]
    fixed = set(draw(st.lists(st.sampled_from(free), max_size=4))) if free else set()
    excluded = set(draw(st.lists(st.sampled_from(jurors), max_size=2)))
    caps = draw(st.dictionaries(st.sampled_from(jurors), st.integers(0, n), max_size=m))
    prefer = set(draw(st.lists(st.sampled_from(pairs), max_size=6))) if pairs else set()
    if draw(st.booleans()):  # a lopsided wish: all of one juror's pairs
        favourite = draw(st.sampled_from(jurors))
        prefer |= {pair for pair in pairs if pair[0] == favourite}
    return Case(
        entries=entries,
        jurors=jurors,
        k=draw(st.integers(1, 4)),
        conflicts=conflicts,
        caps=caps,
        fixed=fixed,
        excluded=excluded,
        prefer=prefer,
        seed=draw(st.integers(0, 3)),
    )


@settings(max_examples=60, deadline=None)
@given(cases())
def test_solve_assignment_random_panels_agree_with_independent_flow(case):
    result = case.solve()

    assert isinstance(result, Proposal) == exists(case)


@settings(max_examples=60, deadline=None)
@given(cases())
def test_solve_assignment_random_feasible_cases_follow_rules_and_balance(case):
    result = case.solve()
    if isinstance(result, Infeasible):
        return

    assert_follows_rules(case, result)
    active = case.active()
    if not active:
        return
    loads = [result.loads[j] for j in active]
    low, high = case.targets()
    if max(loads) - min(loads) > 1:
        assert not exists(case, lower=low, upper=high)  # caps or conflicts force it
    assert not exists(case, upper=max(loads) - 1)  # the largest load is as small as it can be
    assert not exists(case, lower=min(loads) + 1)  # the smallest load is as large as it can be
    assert (result.report.min_load, result.report.max_load) == (min(loads), max(loads))
    assert result.report.connected == graph_is_connected(result)


@settings(max_examples=60, deadline=None)
@given(cases())
def test_solve_assignment_random_infeasible_reasons_are_true(case):
    result = case.solve()
    if isinstance(result, Proposal):
        return

    assert result.reasons
    assert result.shortfall is None or result.shortfall >= 1
    for reason in result.reasons:
        p = reason.params
        if reason.code == ENTRY_TOO_FEW_JURORS:
            assert p["available"] < p["needed"] == case.k
            assert p["available"] + p["conflicted"] + p["excluded"] + p["full"] == len(case.jurors)
            assert not exists(case, only=[p["entry"]])
        elif reason.code == CAPACITY_TOO_SMALL:
            assert p["capacity"] < p["needed"] == len(case.entries) * case.k - len(case.fixed)
            assert all(j in case.caps for j in case.active())
        elif reason.code == GROUP_TOO_FEW_JURORS:
            assert p["capacity"] < p["needed"]
            assert not exists(case, only=p["entries"])
        elif reason.code == FIXED_PAIR_CONFLICTED:
            assert (p["juror"], p["entry"]) in case.fixed & case.conflicts
        else:
            assert reason.code == ENTRY_OVER_ASSIGNED
            assert p["assigned"] == sum(1 for _, e in case.fixed if e == p["entry"]) > case.k
