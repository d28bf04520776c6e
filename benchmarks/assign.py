"""Jury assignment at national scale, against a plain greedy baseline measured in the same run.

    .venv/bin/python benchmarks/assign.py [--entries 2000] [--jurors 120] [--k 3]

Random conflicts (5 %) plus a municipality rule: jurors and entries get one of ~40
municipalities and the same municipality is a conflict. Prints the solve time (best and median
of --repeat runs), the largest load difference, coverage (entries with exactly k jurors / all),
connectivity of the juror-entry graph, and the same figures for a greedy round-robin (the next
k jurors in turn without a conflict, no balancing) with the time ratio solver / greedy.
No database and no Django: jury.compute.solver is pure Python.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jury.compute.solver import Proposal, solve_assignment  # noqa: E402 (needs the path above)


def make_panel(args):
    rng = random.Random(args.seed)
    entries = list(range(1, args.entries + 1))
    jurors = list(range(10_001, 10_001 + args.jurors))
    town_of_entry = {e: rng.randrange(args.municipalities) for e in entries}
    town_of_juror = {j: rng.randrange(args.municipalities) for j in jurors}
    conflicts = {
        (j, e)
        for j in jurors
        for e in entries
        if town_of_juror[j] == town_of_entry[e] or rng.random() < args.conflict_rate
    }
    return entries, jurors, conflicts


def greedy_round_robin(entries, jurors, k, conflicts) -> dict[int, list[int]]:
    """The baseline: the next k jurors in turn that have no conflict. No balance repair."""
    by_entry, turn = {}, 0
    for e in entries:
        chosen = []
        for step in range(len(jurors)):
            j = jurors[(turn + step) % len(jurors)]
            if (j, e) not in conflicts:
                chosen.append(j)
                if len(chosen) == k:
                    break
        turn = (turn + step + 1) % len(jurors)
        by_entry[e] = chosen
    return by_entry


def figures(by_entry, jurors, k) -> dict[str, object]:
    loads = dict.fromkeys(jurors, 0)
    for js in by_entry.values():
        for j in js:
            loads[j] += 1
    parent = {("j", j): ("j", j) for j in jurors if loads[j]} | {
        ("e", e): ("e", e) for e in by_entry
    }

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for e, js in by_entry.items():
        for j in js:
            parent[root(("j", j))] = root(("e", e))
    full = sum(len(set(js)) == k for js in by_entry.values())
    return {
        "load_diff": max(loads.values()) - min(loads.values()),
        "loads": (min(loads.values()), max(loads.values())),
        "coverage": f"{full}/{len(by_entry)}",
        "components": len({root(x) for x in parent}),
    }


def timed(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--jurors", type=int, default=120)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--municipalities", type=int, default=40)
    parser.add_argument("--conflict-rate", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    entries, jurors, conflicts = make_panel(args)
    print(
        f"{args.entries} entries, {args.jurors} jurors, k = {args.k}, "
        f"{len(conflicts)} conflicts ({len(conflicts) / (len(entries) * len(jurors)):.1%} of pairs"
        f", {args.municipalities} municipalities), {os.cpu_count()} CPUs"
    )

    result, best, median = timed(
        lambda: solve_assignment(entries=entries, jurors=jurors, k=args.k, conflicts=conflicts),
        args.repeat,
    )
    assert isinstance(result, Proposal), result
    ours = figures({e: list(js) for e, js in result.by_entry.items()}, jurors, args.k)
    report = result.report
    print(f"solver:   {best:.3f} s best, {median:.3f} s median of {args.repeat}")
    print(
        f"          max load difference {ours['load_diff']} (loads {ours['loads'][0]}-"
        f"{ours['loads'][1]}, target {report.target_min}-{report.target_max}), "
        f"coverage {ours['coverage']}, connected {ours['components'] == 1} "
        f"({ours['components']} component(s), {report.swaps} swaps), "
        f"{report.shared_juror_pairs} juror pairs share an entry"
    )
    conflicted = sum((j, e) in conflicts for e, js in result.by_entry.items() for j in js)
    print(f"          conflicted pairs assigned: {conflicted}")

    greedy, g_best, g_median = timed(
        lambda: greedy_round_robin(entries, jurors, args.k, conflicts), args.repeat
    )
    theirs = figures(greedy, jurors, args.k)
    print(f"greedy:   {g_best:.3f} s best, {g_median:.3f} s median of {args.repeat}")
    print(
        f"          max load difference {theirs['load_diff']} (loads {theirs['loads'][0]}-"
        f"{theirs['loads'][1]}), coverage {theirs['coverage']}, "
        f"connected {theirs['components'] == 1}"
    )
    print(f"ratio solver / greedy (best times): {best / g_best:.1f}")


if __name__ == "__main__":
    main()
