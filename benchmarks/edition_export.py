"""Exporting a whole edition (jury.reports.edition): time and peak memory, small and large.

    .venv/bin/python benchmarks/edition_export.py [--entries 10000] [--baseline 1000]
                                                   [--per-entry 3]

Builds, in a throwaway SQLite database (a temporary folder), an edition with `--entries`
submitted entries, each with its initiative, two consents, `--per-entry` submitted reviews on a
three-criterion rubric and an audit row; then writes the whole workbook (every sheet) and times
it, with the peak of Python memory (tracemalloc) while writing. The same is done first for
`--baseline` entries. Prints both and the ratios large/baseline: time should grow with the
rows (about entries/baseline), memory should stay flat (ratio near 1: rows are read in chunks
and written in openpyxl's streaming mode to a temporary file).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="edition-export-")
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from common.models import AuditLog, User  # noqa: E402
from jury.models import Assignment, Criterion, Review, Round  # noqa: E402
from jury.reports import edition as edition_export  # noqa: E402
from prijzen.models import Category, Consent, Edition, Entry, Initiative  # noqa: E402
from prijzen.wordings import current_wordings  # noqa: E402


def build(n: int, per_entry: int, tag: str) -> Edition:
    now = timezone.now()
    edition = Edition.objects.create(
        name=f"Bench {tag}",
        slug=f"bench-{tag}",
        year=2030,
        entries_open_at=now - timezone.timedelta(days=30),
        entries_close_at=now,
    )
    category = Category.objects.create(edition=edition, slug="lokaal", name="Lokaal")
    owners = User.objects.bulk_create(
        User(email=f"{tag}-{i}@example.org", name=f"Persoon {i}") for i in range(n)
    )
    initiatives = Initiative.objects.bulk_create(
        Initiative(
            owner=o,
            name=f"Initiatief {i}",
            municipality="Utrecht",
            province="Utrecht",
            contact_name=f"Persoon {i}",
            phone="030 123 45 67",
        )
        for i, o in enumerate(owners)
    )
    entries = Entry.objects.bulk_create(
        Entry(
            edition=edition,
            category=category,
            initiative=ini,
            title=f"Vlog {i}",
            summary="Een maatje voor iedere nieuwe vrijwilliger.",
            answer="Koffie.",
            state="submitted",
            number=i + 1,
            submitted_at=now,
        )
        for i, ini in enumerate(initiatives)
    )
    wordings = current_wordings(edition)
    Consent.objects.bulk_create(
        Consent(entry=e, kind=kind, wording=wordings[kind], given_by_id=e.initiative.owner_id)
        for e in entries
        for kind in ("privacy", "people")
    )
    round_ = Round.objects.create(
        edition=edition,
        kind="selection",
        name="Selectie",
        opens_at=now - timezone.timedelta(days=10),
        closes_at=now,
        jurors_per_entry=per_entry,
    )
    criteria = Criterion.objects.bulk_create(
        Criterion(round=round_, position=i, name_nl=f"Criterium {i}", name_en=f"Criterion {i}")
        for i in range(3)
    )
    jurors = User.objects.bulk_create(
        User(email=f"{tag}-jurylid-{j}@example.org", name=f"Jurylid {j}") for j in range(20)
    )
    assignments = Assignment.objects.bulk_create(
        Assignment(round=round_, entry=e, user=jurors[(i + k) % len(jurors)])
        for i, e in enumerate(entries)
        for k in range(per_entry)
    )
    Review.objects.bulk_create(
        Review(
            assignment=a,
            state="submitted",
            submitted_at=now,
            weighted_total="7.33",
            scores={str(c.pk): "7" for c in criteria},
            comments={str(criteria[0].pk): "Warm welkom."},
            overall_comment="Mooi.",
        )
        for a in assignments
    )
    AuditLog.objects.bulk_create(
        AuditLog(
            action="state_change",
            object_type="prijzen.entry",
            object_id=str(e.pk),
            data={"from": "draft", "to": "submitted"},
        )
        for e in entries
    )
    return edition


def measure(edition: Edition) -> tuple[float, float, int]:
    """The time of one plain run, then the peak memory of a second run under tracemalloc
    (which slows Python down several times, so it is not timed)."""
    started = time.perf_counter()
    size = len(edition_export.write_workbook(edition))
    seconds = time.perf_counter() - started
    tracemalloc.start()
    edition_export.write_workbook(edition)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 1024**2, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--per-entry", type=int, default=3)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    figures = {}
    for tag, n in (("baseline", args.baseline), ("large", args.entries)):
        started = time.perf_counter()
        edition = build(n, args.per_entry, tag)
        built = time.perf_counter() - started
        figures[tag] = measure(edition)
        seconds, peak, size = figures[tag]
        print(
            f"{n:>6} entries ({n * args.per_entry} reviews): workbook in {seconds:.2f} s, "
            f"peak Python memory {peak:.1f} MiB, file {size / 1024**2:.1f} MiB "
            f"(data built in {built:.1f} s)"
        )
    (t0, m0, _s0), (t1, m1, _s1) = figures["baseline"], figures["large"]
    print(
        f"ratio large/baseline: entries {args.entries / args.baseline:.1f}x, "
        f"time {t1 / t0:.1f}x, peak memory {m1 / m0:.2f}x"
    )


if __name__ == "__main__":
    main()
