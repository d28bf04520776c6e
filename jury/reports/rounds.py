"""Exports of a round for organisers: entries, reviews, the ranking and jury progress.

Each export is a function that takes a round and returns a `Table` (Dutch column names and rows
of plain values: str, int, Decimal, aware datetime or None), built with a fixed number of
queries. `to_csv` and `to_xlsx` turn a table into a file. Times are shown in Europe/Amsterdam.
Text cells that a spreadsheet would read as a formula get a leading apostrophe: entrants write
the titles.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from jury import certificates, selectors, services
from jury.compute import rankings
from jury.compute.rankings.common import METHOD_LABELS
from jury.enums import ReviewState
from jury.models import Review, Round
from prijzen.enums import EntryState

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TIME_FORMAT = "%Y-%m-%d %H:%M"
XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EN_DASH = "\u2013"  # a spreadsheet reads "2-4" as a date, not "2\u20134" with an en dash
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | Decimal | dt.datetime | None


@dataclass(frozen=True)
class Table:
    """One export: a Dutch `title` (file name and sheet name), the header and the rows."""

    title: str
    header: list[str]
    rows: list[list[Cell]]


def amsterdam(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value, AMSTERDAM) if value else None


def dutch_labels(choices) -> dict[str, str]:
    """The Dutch label of each state, whatever the active language."""
    with translation.override("nl"):
        return {value: str(label) for value, label in choices.choices}


# --- The tables ---------------------------------------------------------------------------------


def entries_table(round_: Round) -> Table:
    """The entries the round judges, by number. One query."""
    entries = services.round_entries(round_).select_related("category").order_by("number", "pk")
    header = [
        "nummer",
        "titel",
        "initiatief",
        "gemeente",
        "provincie",
        "categorie",
        "status",
        "ingediend op",
    ]
    states = dutch_labels(EntryState)
    rows: list[list[Cell]] = [
        [
            e.number,
            e.title,
            e.initiative.name,
            e.initiative.municipality,
            e.initiative.province,
            e.category.name,
            states[e.state],
            amsterdam(e.submitted_at),
        ]
        for e in entries
    ]
    return Table("inzendingen", header, rows)


def reviews_table(round_: Round) -> Table:
    """Every review of the round (drafts too), one row each, one column per criterion (by its
    Dutch name, in rubric order). Two queries."""
    criteria = list(round_.criteria.order_by("position", "pk"))
    reviews = (
        Review.objects.filter(assignment__round=round_)
        .select_related("assignment__entry", "assignment__user")
        .order_by("assignment__entry__number", "assignment__entry_id", "assignment__user__email")
    )
    header = [
        "nummer",
        "inzending",
        "jurylid",
        "status",
        *[c.name_nl for c in criteria],
        "gewogen totaal",
        "ingediend op",
    ]
    states, rows = dutch_labels(ReviewState), []
    for review in reviews:
        entry = review.assignment.entry
        scores = review.scores or {}
        rows.append(
            [
                entry.number,
                entry.title,
                review.assignment.user.email,
                states[review.state],
                *[_score(scores.get(str(c.pk))) for c in criteria],
                review.weighted_total,
                amsterdam(review.submitted_at),
            ]
        )
    return Table("beoordelingen", header, rows)


def _score(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def ranking_table(round_: Round, report: rankings.report.RankingReport | None = None) -> Table:
    """The official order with every method side by side, spread and the bootstrap rank
    interval. Four queries (criteria, reviews, tie decisions, titles); pass `report` when
    already computed."""
    if report is None:
        report = compute_report(round_)
    titles: dict[Hashable, str] = dict(services.round_entries(round_).values_list("pk", "title"))
    with translation.override("nl"):
        methods = [str(METHOD_LABELS[m]).lower() for m in rankings.METHODS]
    header = [
        "rang",
        "inzending",
        "score",
        "beoordelingen",
        "standaardafwijking",
        "spreiding",
        *[f"rang {m}" for m in methods],
        "verschoven",
        "ranginterval",
    ]
    rows: list[list[Cell]] = []
    for row in report.entries if report else ():
        interval = f"{row.interval.lower}{EN_DASH}{row.interval.upper}" if row.interval else None
        rows.append(
            [
                row.rank,
                titles.get(row.entry_id, str(row.entry_id)),
                row.score,
                row.spread.reviews,
                row.spread.sd,
                row.spread.range,
                *[row.ranks.get(m) for m in rankings.METHODS],
                "ja" if row.moved else "nee",
                interval,
            ]
        )
    return Table("rangschikking", header, rows)


def compute_report(round_: Round) -> rankings.report.RankingReport | None:
    """The round's ranking as the organiser page shows it, following the organisers' recorded
    tie decisions (None without submitted reviews). Three queries."""
    reviews, scale = selectors.ranking_input(round_)
    if not reviews:
        return None
    return rankings.compute_ranking(
        reviews,
        scale=scale,
        method=round_.official_method,
        bootstrap_resamples=1000,
        seed=round_.pk,
        organiser_orders=certificates.organiser_orders(round_),
    )


def progress_table(round_: Round) -> Table:
    """Per jury member: assigned, submitted, drafts, not started and the last activity (the
    latest change to one of their reviews). Two queries."""
    progress = selectors.progress(by="user_id", round=round_)
    members = round_.members.select_related("user").order_by("user__email")
    header = [
        "jurylid",
        "naam",
        "toegewezen",
        "ingediend",
        "concepten",
        "niet begonnen",
        "laatste activiteit",
    ]
    rows = []
    for member in members:
        counted = progress.get(member.user_id, selectors.Progress())
        rows.append(
            [
                member.user.email,
                member.user.name,
                counted.assigned,
                counted.submitted,
                counted.drafts,
                counted.not_started,
                amsterdam(counted.last),
            ]
        )
    return Table("voortgang", header, rows)


EXPORTS: dict[str, Callable[[Round], Table]] = {
    "inzendingen": entries_table,
    "beoordelingen": reviews_table,
    "rangschikking": ranking_table,
    "voortgang": progress_table,
}


# --- Writers --------------------------------------------------------------------------------


def safe_text(value: str) -> str:
    """Text that a spreadsheet will not run as a formula: a leading apostrophe before = + - @
    (and tab or carriage return)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_cell(value: Cell) -> str:
    """As Dutch spreadsheets read it: a decimal comma (the columns are split by semicolons)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime(TIME_FORMAT)
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    return str(value)


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte order mark (so Excel reads the accents right), separated by
    semicolons with decimal commas: what Dutch Excel opens in columns."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([safe_text(h) for h in table.header])
    for row in table.rows:
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _shown_width(value: Cell) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return len(XLSX_TIME_FORMAT)
    return len(str(value))


def to_xlsx(table: Table) -> bytes:
    """One sheet: a bold, frozen header row, times as real dates, columns wide enough to read
    (at most 60 characters). Written in openpyxl's streaming mode: a round's thousands of
    reviews take a fraction of the time and memory."""
    widths = [len(h) for h in table.header]
    for row in table.rows:
        widths = [max(w, _shown_width(v)) for w, v in zip(widths, row, strict=True)]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.title[:31])
    sheet.freeze_panes = "A2"  # sheet settings go before the first row
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width, 6) + 2, 60)
    sheet.append(xlsx_header(sheet, table.header))
    for row in table.rows:
        sheet.append([xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_header(sheet, titles: list[str]) -> list[WriteOnlyCell]:
    """A header row in bold (for a streaming-mode sheet)."""
    bold = Font(bold=True)
    cells = []
    for text in titles:
        cell = WriteOnlyCell(sheet, value=safe_text(text))
        cell.font = bold
        cells.append(cell)
    return cells


def xlsx_cell(sheet, value: Cell):
    """A value as a streaming-mode cell: times as real dates, text that is no formula."""
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))  # already Amsterdam time
        cell.number_format = XLSX_TIME_FORMAT
        return cell
    if isinstance(value, str):
        return safe_text(value)
    return value


WRITERS: dict[str, tuple[Callable[[Table], bytes], str]] = {
    "csv": (to_csv, "text/csv; charset=utf-8"),
    "xlsx": (to_xlsx, XLSX_CONTENT_TYPE),
}
