"""Everything of one edition, for organisers: one XLSX workbook (or one CSV per sheet) with
the entries in every state, the initiatives with their contact details, the consents with the
version of their wording and their times, the rounds, the reviews with their scores per
criterion and remarks, the conflicts of interest, the shortlists, the winners with the jury's
motivation and the audit log.

Dutch column names, Amsterdam time, text that a spreadsheet would run as a formula gets an
apostrophe (``jury.reports.rounds.safe_text``). Rows are read in chunks and written in openpyxl's
streaming mode to a temporary file, so memory stays flat however many entries there are
(``benchmarks/edition_export.py``)."""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from common.models import AuditLog
from jury.enums import ConflictSource, ReviewState, RoundKind, RoundState
from jury.models import Conflict, Criterion, Review, Round, Shortlisting
from jury.reports.rounds import (
    XLSX_CONTENT_TYPE,
    Cell,
    amsterdam,
    csv_cell,
    dutch_labels,
    xlsx_cell,
    xlsx_header,
)
from media_pipeline.enums import AssetState
from prijzen.enums import ConsentKind, EntryState
from prijzen.models import Award, Category, Consent, Edition, Entry, Initiative

CHUNK = 2000


@dataclass(frozen=True)
class Sheet:
    name: str  # Dutch; the sheet's name and the CSV file's
    header: list[str]
    rows: Callable[[Edition], Iterator[list[Cell]]]


def _yes(value: bool) -> str:
    return "ja" if value else "nee"


def _email(user) -> str:
    return user.email if user is not None else ""


def _entries(edition: Edition) -> Iterator[list[Cell]]:
    states, vlog_states = dutch_labels(EntryState), dutch_labels(AssetState)
    entries = (
        Entry.objects.filter(edition=edition)
        .select_related("category", "initiative", "vlog")
        .order_by("number", "pk")
    )
    for e in entries.iterator(chunk_size=CHUNK):
        yield [
            edition.slug,
            e.number,
            e.title,
            states[e.state],
            e.category.name,
            e.initiative.name,
            e.initiative.municipality,
            e.initiative.province,
            e.summary,
            e.answer,
            vlog_states.get(e.vlog.state, "") if e.vlog else "",
            amsterdam(e.created_at),
            amsterdam(e.submitted_at),
        ]


def _initiatives(edition: Edition) -> Iterator[list[Cell]]:
    initiatives = (
        Initiative.objects.filter(entries__edition=edition)
        .distinct()
        .select_related("owner")
        .order_by("name", "pk")
    )
    for i in initiatives.iterator(chunk_size=CHUNK):
        yield [
            i.name,
            i.municipality,
            i.province,
            i.contact_name,
            i.owner.email,
            i.phone,
            i.website,
        ]


def _consents(edition: Edition) -> Iterator[list[Cell]]:
    kinds = dutch_labels(ConsentKind)
    consents = (
        Consent.objects.filter(entry__edition=edition)
        .select_related("entry", "given_by", "wording")
        .order_by("entry__number", "entry_id", "pk")
    )
    for c in consents.iterator(chunk_size=CHUNK):
        yield [
            c.entry.number,
            c.entry.title,
            kinds.get(c.kind, c.kind),
            c.wording.version,
            c.wording.text,
            _email(c.given_by),
            amsterdam(c.given_at),
            amsterdam(c.withdrawn_at),
        ]


def _rounds(edition: Edition) -> Iterator[list[Cell]]:
    kinds, states = dutch_labels(RoundKind), dutch_labels(RoundState)
    rounds = edition.rounds.select_related("category", "source_round").order_by("opens_at", "pk")
    for r in rounds:
        yield [
            r.name,
            kinds[r.kind],
            r.category.name if r.category else "alle",
            states[r.state],
            amsterdam(r.opens_at),
            amsterdam(r.closes_at),
            r.jurors_per_entry,
            r.official_method,
            r.source_round.name if r.source_round else "",
            _yes(r.hide_entrant_names),
        ]


def _reviews_of(edition: Edition, *fields: str):
    """The edition's reviews as plain tuples (no model objects: a national edition has tens
    of thousands), in round, entry and jury member order."""
    return (
        Review.objects.filter(assignment__round__edition=edition)
        .order_by(
            "assignment__round__opens_at",
            "assignment__round_id",
            "assignment__entry__number",
            "assignment__user__email",
        )
        .values_list(
            "assignment__round__name",
            "assignment__entry__number",
            "assignment__user__email",
            *fields,
        )
        .iterator(chunk_size=CHUNK)
    )


def _reviews(edition: Edition) -> Iterator[list[Cell]]:
    states = dutch_labels(ReviewState)
    rows = _reviews_of(
        edition,
        "assignment__entry__title",
        "state",
        "submitted_at",
        "weighted_total",
        "overall_comment",
    )
    for round_name, number, email, title, state, submitted_at, total, remark in rows:
        yield [
            round_name,
            number,
            title,
            email,
            states[state],
            amsterdam(submitted_at),
            total,
            remark,
        ]


def _decimal(value) -> Decimal | str:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)


def _scores(edition: Edition) -> Iterator[list[Cell]]:
    """One row per score: the review, the criterion (Dutch name, rubric order), score, remark."""
    criteria: dict[int, list[tuple[str, str]]] = {}
    for c in Criterion.objects.filter(round__edition=edition).order_by("round_id", "position"):
        criteria.setdefault(c.round_id, []).append((str(c.pk), c.name_nl))
    rows = _reviews_of(edition, "assignment__round_id", "scores", "comments")
    for round_name, number, email, round_id, scores, comments in rows:
        for key, name in criteria.get(round_id, []):
            if key in scores or comments.get(key):
                score = _decimal(scores[key]) if key in scores else None
                yield [round_name, number, email, name, score, comments.get(key, "")]


def _conflicts(edition: Edition) -> Iterator[list[Cell]]:
    sources = dutch_labels(ConflictSource)
    conflicts = (
        Conflict.objects.filter(round__edition=edition)
        .select_related("round", "entry", "user")
        .order_by("round_id", "created_at")
    )
    for c in conflicts.iterator(chunk_size=CHUNK):
        yield [
            c.round.name,
            c.entry.number,
            c.entry.title,
            c.user.email,
            sources[c.source],
            c.reason,
            amsterdam(c.created_at),
            amsterdam(c.dismissed_at),
            c.dismissal_reason,
            _yes(c.review_kept),
        ]


def _shortlists(edition: Edition) -> Iterator[list[Cell]]:
    how = dutch_labels(Shortlisting.How)
    rows = (
        Shortlisting.objects.filter(round__edition=edition)
        .select_related("round", "entry", "added_by")
        .order_by("round_id", "entry__number")
    )
    for s in rows.iterator(chunk_size=CHUNK):
        yield [
            s.round.name,
            s.entry.number,
            s.entry.title,
            how[s.how],
            _email(s.added_by),
            amsterdam(s.added_at),
        ]


def _awards(edition: Edition) -> Iterator[list[Cell]]:
    awards = Award.objects.filter(entry__edition=edition).select_related(
        "category", "entry__initiative", "decided_by"
    )
    for w in awards:
        yield [
            w.category.name,
            w.entry.number,
            w.entry.title,
            w.entry.initiative.name,
            w.motivation,
            _email(w.decided_by),
            amsterdam(w.created_at),
        ]


def _ids(queryset) -> QuerySet:
    return queryset.annotate(key=Cast("pk", CharField())).values("key")


def _audit(edition: Edition) -> Iterator[list[Cell]]:
    """Every audit row about the edition or something in it."""
    rounds = Round.objects.filter(edition=edition)
    about = (
        Q(object_type="prijzen.edition", object_id=str(edition.pk))
        | Q(object_type="prijzen.entry", object_id__in=_ids(Entry.objects.filter(edition=edition)))
        | Q(
            object_type="prijzen.category",
            object_id__in=_ids(Category.objects.filter(edition=edition)),
        )
        | Q(
            object_type="prijzen.award",
            object_id__in=_ids(Award.objects.filter(entry__edition=edition)),
        )
        | Q(object_type="jury.round", object_id__in=_ids(rounds))
        | Q(
            object_type="jury.review",
            object_id__in=_ids(Review.objects.filter(assignment__round__in=rounds)),
        )
        | Q(
            object_type="jury.conflict",
            object_id__in=_ids(Conflict.objects.filter(round__in=rounds)),
        )
    )
    rows = AuditLog.objects.filter(about).select_related("actor").order_by("created_at", "pk")
    for row in rows.iterator(chunk_size=CHUNK):
        yield [
            amsterdam(row.created_at),
            _email(row.actor),
            row.action,
            row.object_type,
            row.object_id,
            json.dumps(row.data, ensure_ascii=False, sort_keys=True),
        ]


SHEETS = (
    Sheet(
        "inzendingen",
        [
            "editie",
            "nummer",
            "titel",
            "status",
            "categorie",
            "initiatief",
            "gemeente",
            "provincie",
            "korte beschrijving",
            "antwoord",
            "vlog",
            "aangemaakt op",
            "ingediend op",
        ],
        _entries,
    ),
    Sheet(
        "initiatieven",
        ["naam", "gemeente", "provincie", "contactpersoon", "e-mailadres", "telefoon", "website"],
        _initiatives,
    ),
    Sheet(
        "toestemmingen",
        [
            "nummer",
            "titel",
            "soort",
            "versie van de tekst",
            "tekst",
            "gegeven door",
            "gegeven op",
            "ingetrokken op",
        ],
        _consents,
    ),
    Sheet(
        "rondes",
        [
            "naam",
            "soort",
            "categorie",
            "status",
            "opent",
            "sluit",
            "juryleden per inzending",
            "officiële methode",
            "beoordeelt de shortlist van",
            "namen verborgen",
        ],
        _rounds,
    ),
    Sheet(
        "beoordelingen",
        [
            "ronde",
            "nummer",
            "titel",
            "jurylid",
            "status",
            "ingestuurd op",
            "gewogen totaal",
            "algemene opmerking",
        ],
        _reviews,
    ),
    Sheet("cijfers", ["ronde", "nummer", "jurylid", "criterium", "cijfer", "toelichting"], _scores),
    Sheet(
        "belangenconflicten",
        [
            "ronde",
            "nummer",
            "titel",
            "jurylid",
            "bron",
            "reden",
            "gevonden op",
            "afgewezen op",
            "reden van afwijzen",
            "beoordeling telt",
        ],
        _conflicts,
    ),
    Sheet("voordrachten", ["ronde", "nummer", "titel", "hoe", "door", "op"], _shortlists),
    Sheet(
        "winnaars",
        [
            "categorie",
            "nummer",
            "titel",
            "initiatief",
            "motivatie van de jury",
            "vastgelegd door",
            "vastgelegd op",
        ],
        _awards,
    ),
    Sheet("logboek", ["tijd", "door", "actie", "soort object", "id", "gegevens"], _audit),
)
BY_NAME = {sheet.name: sheet for sheet in SHEETS}


# --- Writers --------------------------------------------------------------------------------


def write_workbook(edition: Edition) -> bytes:
    """The whole edition as an XLSX workbook. The rows go through openpyxl's streaming mode
    (temporary files); only the finished, compressed file is held in memory (about half a
    kilobyte per entry)."""
    book = Workbook(write_only=True)
    for spec in SHEETS:
        sheet = book.create_sheet(spec.name)
        sheet.freeze_panes = "A2"
        for i, title in enumerate(spec.header, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = max(len(title) + 2, 14)
        sheet.append(xlsx_header(sheet, spec.header))
        for row in spec.rows(edition):
            sheet.append([xlsx_cell(sheet, v) for v in row])
    with tempfile.TemporaryFile() as out:
        book.save(out)
        out.seek(0)
        return out.read()


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(edition: Edition, sheet: Sheet) -> Iterator[bytes]:
    """One sheet as CSV lines (UTF-8 with a byte order mark, semicolons: what Dutch Excel
    opens in columns), produced as they are read."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield ("\ufeff" + writer.writerow(sheet.header)).encode("utf-8")
    for row in sheet.rows(edition):
        yield writer.writerow([csv_cell(v) for v in row]).encode("utf-8")


# --- Downloads (the edition page and the API) -----------------------------------------------


def workbook_response(edition: Edition) -> HttpResponse:
    response = HttpResponse(write_workbook(edition), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{edition.slug}-alles.xlsx"'
    return response


def sheet_response(edition: Edition, sheet: Sheet) -> StreamingHttpResponse:
    lines = csv_lines(edition, sheet)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{edition.slug}-{sheet.name}.csv"'
    return response
