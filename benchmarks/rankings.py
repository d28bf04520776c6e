"""Ranking computation at national scale: on plain lists, then loaded from real databases.

    .venv/bin/python benchmarks/rankings.py [--entries 5000] [--jurors 150] [--per-entry 3]
                                            [--criteria 6] [--official mean] [--repeat 3]
                                            [--databases sqlite,postgresql]
                                            [--postgres postgres://postgres@127.0.0.1:5432]

Builds random reviews (scores 1-10 per criterion, equal weights, each entry scored by distinct
jurors), then times (a) the full ranking page computation: all methods, Krippendorff's alpha
overall and per criterion, leniency, distributions and the bootstrap with 1,000 resamples,
target <= 2 s; and (b) the official method alone with its tie rule, target <= 0.3 s. Prints the
median wall-clock and CPU time of `--repeat` runs and the ratio to each target (<= 1.00 meets
it; the CPU figure shows what a busy, shared machine adds to the wall time), plus the official
method alone for every method and a breakdown of the full run.

Then, per database in `--databases`, the same reviews are written with bulk_create into a
throwaway database (SQLite: a file in a temporary folder; PostgreSQL: a new database on the
`--postgres` server, dropped afterwards): this script runs itself as a subprocess with
DATABASE_URL set, migrates, writes, and times (c) loading the reviews through the selector the
ranking page uses (`jury.selectors.ranking_input`), (d) the ranking page's computation as the
page runs it, loading included (`jury.reports.rounds.compute_report`: all methods, alpha, leniency,
distributions, bootstrap with 1,000 resamples) and (e) loading plus the official method alone
(as closing a round does). It prints these against the targets and as a ratio to the in-memory
figures of this same command, and checks that the order and scores equal the in-memory ones.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django  # noqa: E402

django.setup()  # the report's texts are lazy translations

from jury.compute import rankings  # noqa: E402
from jury.compute.rankings.agreement import compute_agreement  # noqa: E402
from jury.compute.rankings.inputs import prepare_reviews  # noqa: E402
from jury.compute.rankings.methods import MethodCache, compute_method  # noqa: E402
from jury.compute.rankings.uncertainty import bootstrap_intervals, bootstrap_source  # noqa: E402

TARGET_FULL = 2.0
TARGET_OFFICIAL = 0.3
SCALE = (Decimal(1), Decimal(10))


def make_reviews(
    *, entries: int, jurors: int, per_entry: int, criteria: int, seed: int = 2025
) -> list[rankings.ReviewScores]:
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
                rankings.ReviewScores(
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
    return {
        "full": tuple(full),
        "official": alone[official],
        "alone": alone,
        "parts": parts,
        "report": report,
    }


def _line(label: str, times: tuple[float, float], target: float | None = None) -> str:
    wall, cpu = times
    text = f"{label:<18} {wall:7.3f} s wall  {cpu:7.3f} s cpu"
    if target is not None:
        text += f"   target {target:.1f} s   ratio {wall / target:.2f} (cpu {cpu / target:.2f})"
    return text


# --- Real databases ---------------------------------------------------------------------------


def _write_round(reviews: list[rankings.ReviewScores], *, criteria: int, official: str):
    """Write the reviews into the (empty, migrated) database as one round; returns the round
    and the mapping of the in-memory ids to the database's."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from common.models import User
    from jury.models import Assignment, Criterion, JuryMember, Review, Round
    from prijzen.models import Category, Edition, Entry, Initiative

    now = timezone.now()
    entry_ids = sorted({r.entry_id for r in reviews})
    juror_ids = sorted({r.juror_id for r in reviews})
    with transaction.atomic():
        edition = Edition.objects.create(
            name="Benchmark",
            slug="benchmark",
            year=2099,
            entries_open_at=now - dt.timedelta(days=9),
            entries_close_at=now - dt.timedelta(days=2),
        )
        category = Category.objects.create(edition=edition, slug="alles", name="Alles")
        owner = User.objects.create(email="eigenaar@example.org")
        initiative = Initiative.objects.create(
            owner=owner,
            name="Stichting Benchmark",
            municipality="Zwolle",
            province="Overijssel",
            contact_name="Bea",
        )
        entries = Entry.objects.bulk_create(
            [
                Entry(
                    edition=edition,
                    category=category,
                    initiative=initiative,
                    number=i + 1,
                    title=f"Inzending {e}",
                    state="submitted",
                    submitted_at=now,
                )
                for i, e in enumerate(entry_ids)
            ],
            batch_size=1000,
        )
        users = User.objects.bulk_create(
            [User(email=f"jurylid{j}@example.org", role="juror", password="!") for j in juror_ids],
            batch_size=1000,
        )
        round_ = Round.objects.create(
            edition=edition,
            kind="final",
            name="Benchmark",
            state="open",
            official_method=official,
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=1),
        )
        JuryMember.objects.bulk_create(
            [
                JuryMember(round=round_, user=u, accepted_at=now, terms_accepted_at=now)
                for u in users
            ]
        )
        crits = Criterion.objects.bulk_create(
            [
                Criterion(round=round_, position=c, name_nl=f"c{c + 1}", name_en=f"c{c + 1}")
                for c in range(criteria)
            ]
        )
        entry_pk = {e: x.pk for e, x in zip(entry_ids, entries, strict=True)}
        juror_pk = {j: u.pk for j, u in zip(juror_ids, users, strict=True)}
        crit_pk = {f"c{c + 1}": x.pk for c, x in enumerate(crits)}
        assignments = Assignment.objects.bulk_create(
            [
                Assignment(
                    round=round_, entry_id=entry_pk[r.entry_id], user_id=juror_pk[r.juror_id]
                )
                for r in reviews
            ],
            batch_size=2000,
        )
        Review.objects.bulk_create(
            [
                Review(
                    assignment=a,
                    state="submitted",
                    weighted_total=r.weighted_total,
                    scores={str(crit_pk[k]): str(v) for k, v in r.scores.items()},
                    submitted_at=now,
                )
                for a, r in zip(assignments, reviews, strict=True)
            ],
            batch_size=2000,
        )
    return round_, entry_pk


def child(args) -> None:
    """Run inside a subprocess whose DATABASE_URL points at an empty throwaway database."""
    from django.core.management import call_command
    from django.db import connection

    from jury import selectors
    from jury.reports import rounds as exports

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    reviews = make_reviews(
        entries=args.entries, jurors=args.jurors, per_entry=args.per_entry, criteria=args.criteria
    )
    round_, entry_pk = _write_round(reviews, criteria=args.criteria, official=args.official)
    written = time.perf_counter()
    with connection.cursor() as cursor:  # connect before timing
        cursor.execute("SELECT 1")
    load = _timed(lambda: selectors.ranking_input(round_), args.repeat)
    *full, report = _timed(lambda: exports.compute_report(round_), args.repeat)

    def official():
        loaded, scale = selectors.ranking_input(round_)
        return rankings.official_ranking(loaded, scale=scale, method=round_.official_method)

    alone = _timed(official, args.repeat)[:2]
    memory = rankings.compute_ranking(reviews, scale=SCALE, method=args.official, seed=round_.pk)
    same = [
        (entry_pk[r.entry_id], r.rank, r.score, r.ranks, r.interval.lower, r.interval.upper)
        for r in memory.entries
    ]
    got = [
        (r.entry_id, r.rank, r.score, r.ranks, r.interval.lower, r.interval.upper)
        for r in report.entries
    ]
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "load": load[:2],
                "full": full,
                "official": alone,
                "migrate": migrated - started,
                "write": written - migrated,
                "same": same == got,
            }
        )
    )


def _run_child(url: str, argv: list[str]) -> dict:
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", *argv],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"benchmark on {url} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def on_sqlite(argv: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="vp-bench-") as folder:
        return _run_child(f"sqlite:///{folder}/bench.sqlite3", argv)


def on_postgresql(server: str, argv: list[str]) -> dict:
    import psycopg

    name = f"vp_bench_{secrets.token_hex(4)}"
    admin = psycopg.connect(f"{server}/postgres", autocommit=True)
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            return _run_child(f"{server}/{name}", argv)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


def _ratio(times: tuple[float, float], baseline: tuple[float, float]) -> str:
    return f"   {times[0] / baseline[0]:.2f}x in-memory (cpu {times[1] / baseline[1]:.2f}x)"


def print_database(result: dict, memory: dict) -> None:
    print(
        f"{result['vendor']} (throwaway database; migrate {result['migrate']:.1f} s, "
        f"bulk_create {result['write']:.1f} s):"
    )
    print("  " + _line("load (selector)", result["load"]))
    print(
        "  "
        + _line("full incl. load", result["full"], TARGET_FULL)
        + _ratio(result["full"], memory["full"])
    )
    print(
        "  "
        + _line("official + load", result["official"], TARGET_OFFICIAL)
        + _ratio(result["official"], memory["official"])
    )
    print(f"  check: order, scores, ranks and intervals equal the in-memory run: {result['same']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--jurors", type=int, default=150)
    parser.add_argument("--per-entry", type=int, default=3)
    parser.add_argument("--criteria", type=int, default=6)
    parser.add_argument("--official", default="mean", choices=rankings.METHODS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--databases",
        default="sqlite,postgresql",
        help="comma-separated: sqlite, postgresql; empty for in-memory only",
    )
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432",
        help="PostgreSQL server (a throwaway database is made and dropped)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    argv = [
        f"--entries={args.entries}",
        f"--jurors={args.jurors}",
        f"--per-entry={args.per_entry}",
        f"--criteria={args.criteria}",
        f"--official={args.official}",
        f"--repeat={args.repeat}",
    ]

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
    for database in filter(None, args.databases.split(",")):
        if database == "sqlite":
            print_database(on_sqlite(argv), result)
        elif database == "postgresql":
            print_database(on_postgresql(args.postgres.rstrip("/"), argv), result)
        else:
            raise SystemExit(f"unknown database {database!r}")


if __name__ == "__main__":
    main()
