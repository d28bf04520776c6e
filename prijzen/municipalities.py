"""The current Dutch municipalities and their provinces, shipped as data (prijzen/data)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "gemeenten.csv"


@cache
def provinces_by_municipality() -> dict[str, str]:
    with open(DATA, encoding="utf-8", newline="") as fh:
        return {row["gemeente"]: row["provincie"] for row in csv.DictReader(fh)}


def grouped_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Choices for a select, grouped by province (optgroups)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for municipality, province in provinces_by_municipality().items():
        groups.setdefault(province, []).append((municipality, municipality))
    return [(province, groups[province]) for province in sorted(groups)]
