"""Ranking computation at national scale, measured on plain lists (no database yet).

    .venv/bin/python benchmarks/rankings.py [--entries 5000] [--jurors 150] [--per-entry 3]
                                            [--criteria 6] [--official mean] [--repeat 3]

Builds random reviews (scores 1-10 per criterion, equal weights, each entry scored by distinct
jurors), then times (a) the full ranking page computation: all methods, Krippendorff's alpha
overall and per criterion, leniency, distributions and the bootstrap with 1,000 resamples,
target <= 2 s; and (b) the official method alone with its tie rule, target <= 0.3 s. Prints the
median wall-clock and CPU time of `--repeat` runs and the ratio to each target (<= 1.00 meets
it; the CPU figure shows what a busy, shared machine adds to the wall time), plus the official
method alone for every method and a breakdown of the full run.

`make_reviews` and `measure` take and return plain Python objects, so a database-loading step
can call `measure(load_reviews(...))` later.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django  # noqa: E402

django.setup()  # the report's texts are lazy translations

from jury import rankings  # noqa: E402
from jury.rankings.agreement import compute_agreement  # noqa: E402
from jury.rankings.inputs import prepare_reviews  # noqa: E402
from jury.rankings.methods import MethodCache, compute_method  # noqa: E402
from jury.rankings.uncertainty import bootstrap_intervals, bootstrap_source  # noqa: E402

TARGET_FULL = 2.0
TARGET_OFFICIAL = 0.3
SCALE = (Decimal(1), Decimal(10))


def make_reviews(
    *, entries: int, jurors: int, per_entry: int, criteria: int, seed: int = 2025
) -> list[rankings.Review]:
    """Random reviews: each entry gets `per_entry` distinct jurors; weighted total = mean of the
    criterion scores (equal weights), rounded to 0.01."""
    rng = np.random.default_rng(seed)
    assigned = rng.random((entries, jurors)).argsort(axis=1)[:, :per_entry]
    scores = rng.integers(1, 11, size=(entries, per_entry, criteria))
    reviews = []
    for e in range(entries):
        for k in range(per_entry):
            row = scores[e, k]
            total = (Decimal(int(row.sum())) / criteria).quantize(rankings.CENT)
            reviews.append(
                rankings.Review(
                    entry_id=e + 1,
                    juror_id=int(assigned[e, k]) + 1,
                    weighted_total=total,
                    scores={f"c{c + 1}": Decimal(int(row[c])) for c in range(criteria)},
                )
            )
    return reviews


def _timed(function, repeat: int) -> tuple[float, float, object]:
    """Median wall time and median CPU time (seconds) of `repeat` calls, and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def measure(reviews: list, *, official: str = "mean", repeat: int = 3) -> dict:
    """Times of the full computation and of the official method alone (official order with its
    tie rule), as (wall, cpu) pairs in seconds, plus a breakdown of the parts."""
    *full, report = _timed(
        lambda: rankings.compute_ranking(reviews, scale=SCALE, method=official), repeat
    )
    alone = {
        method: _timed(
            lambda m=method: rankings.official_ranking(reviews, scale=SCALE, method=m), repeat
        )[:2]
        for method in rankings.METHODS
    }
    d = prepare_reviews(reviews, SCALE)  # breakdown of the parts, for whoever tunes this
    parts = {"prepare": _timed(lambda: prepare_reviews(reviews, SCALE), repeat)[:2]}
    for method in rankings.METHODS:
        parts[method] = _timed(lambda m=method: compute_method(d, m, {}), repeat)[:2]
    cache = MethodCache(d, {})
    contributions, stat, _ = bootstrap_source(cache, official)
    parts["bootstrap"] = _timed(
        lambda: bootstrap_intervals(
            d, contributions, stat, resamples=1000, coverage=Decimal("0.90"), seed=0
        ),
        repeat,
    )[:2]
    parts["agreement"] = _timed(lambda: compute_agreement(d), repeat)[:2]
    return {"full": tuple(full), "official": alone[official], "alone": alone, "parts": parts,
            "report": report}  # fmt: skip


def _line(label: str, times: tuple[float, float], target: float | None = None) -> str:
    wall, cpu = times
    text = f"{label:<18} {wall:7.3f} s wall  {cpu:7.3f} s cpu"
    if target is not None:
        text += f"   target {target:.1f} s   ratio {wall / target:.2f} (cpu {cpu / target:.2f})"
    return text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--jurors", type=int, default=150)
    parser.add_argument("--per-entry", type=int, default=3)
    parser.add_argument("--criteria", type=int, default=6)
    parser.add_argument("--official", default="mean", choices=rankings.METHODS)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    reviews = make_reviews(
        entries=args.entries, jurors=args.jurors, per_entry=args.per_entry, criteria=args.criteria
    )
    print(
        f"{args.entries} entries, {args.jurors} jurors, {args.per_entry} reviews per entry, "
        f"{args.criteria} criteria: {len(reviews)} reviews; official method: {args.official}; "
        f"median of {args.repeat} runs"
    )
    result = measure(reviews, official=args.official, repeat=args.repeat)
    report = result["report"]
    print(_line("full computation", result["full"], TARGET_FULL))
    print(_line("official alone", result["official"], TARGET_OFFICIAL))
    print("official alone, per method (official order incl. tie rule):")
    for method, times in result["alone"].items():
        print("  " + _line(method, times, TARGET_OFFICIAL))
    print("parts of the full computation:")
    for part, times in result["parts"].items():
        print("  " + _line(part, times))
    overall = report.agreement.overall
    ties = report.official.ties
    print(
        f"check: alpha {overall.alpha} ({overall.text}, {overall.computed_with}); "
        f"{len(ties)} tie groups, {sum(t.needs_decision for t in ties)} need a decision; "
        f"{len(report.moved)} entries moved > {report.parameters['move_threshold']} places; "
        f"additive model connected: {report.additive.connected}"
    )


if __name__ == "__main__":
    main()
