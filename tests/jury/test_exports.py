"""Organisers' exports (CSV and XLSX) and the ranking page's charts: exact cells, Amsterdam
time, the formula guard, who may download, and a fixed number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pytest

from jury.models import Assignment, Review
from prijzen.enums import EntryState
from tests.factories import (
    CategoryFactory,
    CriterionFactory,
    EntryFactory,
    InitiativeFactory,
    JuryMemberFactory,
    OrganiserFactory,
    RoundFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
SUMMER = dt.datetime(2026, 7, 1, 10, 0, tzinfo=UTC)  # 12:00 in Amsterdam (CEST, +2)
WINTER = dt.datetime(2026, 1, 15, 10, 30, tzinfo=UTC)  # 11:30 in Amsterdam (CET, +1)
DASH = "\u2013"  # shown where a number cannot be computed
KINDS = ["inzendingen", "beoordelingen", "rangschikking", "voortgang"]


@pytest.fixture
def organiser(client):
    user = OrganiserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def english(client):
    """The page in English: the new texts' Dutch translations are merged into the catalogue
    separately, the English msgids are what the code holds."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _round(*, entries: int = 3, jurors: int = 3, titles=None):
    """A round with two criteria; each juror scores each entry. Entry i gets criterion scores
    (9 - 2i, 8 - 2i) from every juror, except the last juror's review of the first entry,
    which is a draft."""
    round_ = RoundFactory(official_method="mean")
    category = CategoryFactory(edition=round_.edition, name="Zorg en welzijn")
    first = CriterionFactory(
        round=round_, name_nl="Verbindt mensen", name_en="Connects people", position=1
    )
    second = CriterionFactory(round=round_, name_nl="Verrast", name_en="Surprises", position=2)
    members = [
        JuryMemberFactory(
            round=round_,
            user=UserFactory(role="juror", email=f"jury{k}@example.org", name=f"Jurylid {k}"),
        )
        for k in range(jurors)
    ]
    made = []
    for i in range(entries):
        initiative = InitiativeFactory(
            name=f"Stichting {i}", municipality="Zwolle", province="Overijssel"
        )
        title = titles[i] if titles else f"Inzending {'ABC'[i % 3]}{i}"
        entry = EntryFactory(
            edition=round_.edition,
            category=category,
            initiative=initiative,
            number=i + 1,
            title=title,
            state=EntryState.SUBMITTED,
            submitted_at=SUMMER if i % 2 == 0 else WINTER,
        )
        made.append(entry)
        for k, member in enumerate(members):
            assignment = Assignment.objects.create(round=round_, entry=entry, user=member.user)
            a, b = 9 - 2 * i, 8 - 2 * i
            draft = i == 0 and k == jurors - 1 and jurors > 1
            Review.objects.create(
                assignment=assignment,
                state="draft" if draft else "submitted",
                scores={str(first.pk): str(a), str(second.pk): str(b)},
                weighted_total=Decimal(a + b) / 2,
                submitted_at=None if draft else SUMMER,
            )
    Review.objects.update(updated_at=WINTER)
    return round_, made, members


def _csv(response) -> list[list[str]]:
    body = response.content
    assert body.startswith("\ufeff".encode())  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def _xlsx(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return book.active


def _get(client, round_, kind, fmt):
    return client.get(f"/jury/rondes/{round_.pk}/export/{kind}.{fmt}")


# --- Entries ------------------------------------------------------------------------------


def test_entries_export_as_csv_in_amsterdam_time(client, organiser):
    round_, _entries, _members = _round(entries=2)

    response = _get(client, round_, "inzendingen", "csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="inzendingen-ronde-{round_.pk}.csv"'
    )
    assert _csv(response) == [
        [
            "nummer",
            "titel",
            "initiatief",
            "gemeente",
            "provincie",
            "categorie",
            "status",
            "ingediend op",
        ],
        [
            "1",
            "Inzending A0",
            "Stichting 0",
            "Zwolle",
            "Overijssel",
            "Zorg en welzijn",
            "Ingediend",
            "2026-07-01 12:00",
        ],
        [
            "2",
            "Inzending B1",
            "Stichting 1",
            "Zwolle",
            "Overijssel",
            "Zorg en welzijn",
            "Ingediend",
            "2026-01-15 11:30",
        ],
    ]


def test_entries_export_as_xlsx_has_real_dates_a_bold_frozen_header(client, organiser):
    round_, _entries, _members = _round(entries=2)

    response = _get(client, round_, "inzendingen", "xlsx")
    sheet = _xlsx(response)

    assert response["Content-Disposition"] == (
        f'attachment; filename="inzendingen-ronde-{round_.pk}.xlsx"'
    )
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        [
            "nummer",
            "titel",
            "initiatief",
            "gemeente",
            "provincie",
            "categorie",
            "status",
            "ingediend op",
        ],
        [
            1,
            "Inzending A0",
            "Stichting 0",
            "Zwolle",
            "Overijssel",
            "Zorg en welzijn",
            "Ingediend",
            dt.datetime(2026, 7, 1, 12, 0),
        ],
        [
            2,
            "Inzending B1",
            "Stichting 1",
            "Zwolle",
            "Overijssel",
            "Zorg en welzijn",
            "Ingediend",
            dt.datetime(2026, 1, 15, 11, 30),
        ],
    ]
    assert sheet.title == "inzendingen"
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet["B2"].font.bold is False
    assert sheet["H2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet.column_dimensions["B"].width == len("Inzending A0") + 2


# --- Reviews ------------------------------------------------------------------------------


def test_reviews_export_has_a_column_per_criterion(client, organiser):
    round_, _entries, _members = _round(entries=2, jurors=2)

    rows = _csv(_get(client, round_, "beoordelingen", "csv"))
    sheet = _xlsx(_get(client, round_, "beoordelingen", "xlsx"))

    assert rows == [
        [
            "nummer",
            "inzending",
            "jurylid",
            "status",
            "Verbindt mensen",
            "Verrast",
            "gewogen totaal",
            "ingediend op",
        ],
        [
            "1",
            "Inzending A0",
            "jury0@example.org",
            "Ingediend",
            "9",
            "8",
            "8,500",
            "2026-07-01 12:00",
        ],
        ["1", "Inzending A0", "jury1@example.org", "Concept", "9", "8", "8,500", ""],
        [
            "2",
            "Inzending B1",
            "jury0@example.org",
            "Ingediend",
            "7",
            "6",
            "6,500",
            "2026-07-01 12:00",
        ],
        [
            "2",
            "Inzending B1",
            "jury1@example.org",
            "Ingediend",
            "7",
            "6",
            "6,500",
            "2026-07-01 12:00",
        ],
    ]
    assert [list(r) for r in sheet.iter_rows(min_row=2, max_row=3, values_only=True)] == [
        [
            1,
            "Inzending A0",
            "jury0@example.org",
            "Ingediend",
            9,
            8,
            8.5,
            dt.datetime(2026, 7, 1, 12, 0),
        ],
        [1, "Inzending A0", "jury1@example.org", "Concept", 9, 8, 8.5, None],
    ]


# --- Ranking --------------------------------------------------------------------------------

RANKING_HEADER = [
    "rang",
    "inzending",
    "score",
    "beoordelingen",
    "standaardafwijking",
    "spreiding",
    "rang gemiddelde",
    "rang mediaan",
    "rang getrimd gemiddelde",
    "rang z-score per jurylid",
    "rang model met jurylideffect",
    "rang borda",
    "rang schulze",
    "verschoven",
    "ranginterval",
]


def test_ranking_export_has_every_method_and_the_rank_interval(client, organiser):
    round_, _entries, _members = _round(entries=3, jurors=3)

    rows = _csv(_get(client, round_, "rangschikking", "csv"))
    sheet = _xlsx(_get(client, round_, "rangschikking", "xlsx"))

    assert rows == [
        RANKING_HEADER,
        ["1", "Inzending A0", "8,50", "2", "0,00", "0,00", *["1"] * 7, "nee", f"1{DASH}1"],
        ["2", "Inzending B1", "6,50", "3", "0,00", "0,00", *["2"] * 7, "nee", f"2{DASH}2"],
        ["3", "Inzending C2", "4,50", "3", "0,00", "0,00", *["3"] * 7, "nee", f"3{DASH}3"],
    ]
    assert [list(r) for r in sheet.iter_rows(values_only=True)][:2] == [
        RANKING_HEADER,
        [1, "Inzending A0", 8.5, 2, 0, 0, *[1] * 7, "nee", f"1{DASH}1"],
    ]


def test_ranking_export_and_page_follow_the_recorded_tie_decision(client, organiser):
    from jury.models import TieDecision

    round_, entries, _members = _round(entries=2, jurors=1)
    Review.objects.filter(assignment__entry=entries[1]).update(
        scores=Review.objects.get(assignment__entry=entries[0]).scores, weighted_total=8.5
    )  # every method ties the two entries now
    open_tie = _csv(_get(client, round_, "rangschikking", "csv"))
    TieDecision.objects.create(
        round=round_,
        key=f"{entries[0].pk},{entries[1].pk}",
        order=[entries[1].pk, entries[0].pk],
        reason="Loting",
    )

    decided = _csv(_get(client, round_, "rangschikking", "csv"))
    page = client.get(f"/jury/rondes/{round_.pk}/rangschikking/")

    assert [(r[0], r[1]) for r in open_tie[1:]] == [("1", "Inzending A0"), ("1", "Inzending B1")]
    assert [(r[0], r[1]) for r in decided[1:]] == [("1", "Inzending B1"), ("2", "Inzending A0")]
    assert [title for _row, title, _ranks in page.context["rows"]] == [
        "Inzending B1",
        "Inzending A0",
    ]


def test_the_old_ranking_csv_address_serves_the_same_export(client, organiser):
    round_, _entries, _members = _round()

    old = client.get(f"/jury/rondes/{round_.pk}/rangschikking.csv")
    new = _get(client, round_, "rangschikking", "csv")

    assert old.content == new.content
    assert old["Content-Disposition"] == (
        f'attachment; filename="rangschikking-ronde-{round_.pk}.csv"'
    )


def test_ranking_export_of_a_round_without_reviews_is_only_a_header(client, organiser):
    round_ = RoundFactory()

    assert _csv(_get(client, round_, "rangschikking", "csv")) == [RANKING_HEADER]


# --- Progress -------------------------------------------------------------------------------


def test_progress_export_counts_per_jury_member(client, organiser):
    round_, entries, _members = _round(entries=2, jurors=2)
    idle = JuryMemberFactory(
        round=round_, user=UserFactory(role="juror", name="Nog Niets", email="idle@example.org")
    )
    Assignment.objects.create(round=round_, entry=entries[0], user=idle.user)

    rows = _csv(_get(client, round_, "voortgang", "csv"))
    sheet = _xlsx(_get(client, round_, "voortgang", "xlsx"))

    assert rows == [
        [
            "jurylid",
            "naam",
            "toegewezen",
            "ingediend",
            "concepten",
            "niet begonnen",
            "laatste activiteit",
        ],
        ["idle@example.org", "Nog Niets", "1", "0", "0", "1", ""],
        ["jury0@example.org", "Jurylid 0", "2", "2", "0", "0", "2026-01-15 11:30"],
        ["jury1@example.org", "Jurylid 1", "2", "1", "1", "0", "2026-01-15 11:30"],
    ]
    assert list(next(sheet.iter_rows(min_row=3, max_row=3, values_only=True))) == [
        "jury0@example.org",
        "Jurylid 0",
        2,
        2,
        0,
        0,
        dt.datetime(2026, 1, 15, 11, 30),
    ]


# --- Formula injection ----------------------------------------------------------------------

DANGEROUS = ['=HYPERLINK("http://x","klik")', "+31 vrijwilligers", "-1 probleem", "@SUM(A1)"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_text_that_looks_like_a_formula_gets_an_apostrophe(client, organiser, fmt):
    round_, _entries, _members = _round(entries=4, jurors=1, titles=DANGEROUS)

    response = _get(client, round_, "inzendingen", fmt)

    if fmt == "csv":
        titles = [row[1] for row in _csv(response)[1:]]
    else:
        sheet = _xlsx(response)
        titles = [cell.value for (cell,) in sheet.iter_rows(min_row=2, min_col=2, max_col=2)]
        assert {cell.data_type for (cell,) in sheet.iter_rows(min_col=2, max_col=2)} == {"s"}
    assert titles == ["'" + t for t in DANGEROUS]


def test_negative_numbers_are_not_quoted():
    from jury.reports.rounds import Table, to_csv

    table = Table("x", ["getal", "tekst"], [[Decimal("-0.50"), "-0.50"]])

    assert to_csv(table).decode("utf-8-sig").splitlines() == ["getal;tekst", "-0,50;'-0.50"]


# --- Who may download -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["entrant", "juror", "other_organiser_less_staff"])
@pytest.mark.parametrize("kind", KINDS)
def test_exports_are_for_organisers_only(client, who, kind):
    round_, entries, members = _round(entries=1, jurors=1)
    user = {
        "entrant": lambda: entries[0].initiative.owner,
        "juror": lambda: members[0].user,
        "other_organiser_less_staff": lambda: UserFactory(role="entrant", is_staff=True),
    }[who]()
    client.force_login(user)

    for fmt in ("csv", "xlsx"):
        response = _get(client, round_, kind, fmt)
        assert response.status_code == 404
        assert b"Inzending" not in response.content


@pytest.mark.parametrize("kind", KINDS)
def test_anonymous_visitors_are_sent_to_sign_in_and_get_no_data(client, kind):
    round_, _entries, _members = _round(entries=1, jurors=1)

    response = _get(client, round_, kind, "xlsx")

    assert response.status_code == 302
    assert response["Location"] == (f"/aanmelden/?next=/jury/rondes/{round_.pk}/export/{kind}.xlsx")
    assert response.content == b""


@pytest.mark.parametrize("path", ["onbekend.csv", "inzendingen.pdf", "inzendingen.CSV"])
def test_an_unknown_export_or_format_is_not_found(client, organiser, path):
    round_ = RoundFactory()

    assert client.get(f"/jury/rondes/{round_.pk}/export/{path}").status_code == 404


def test_export_of_an_unknown_round_is_not_found(client, organiser):
    assert client.get("/jury/rondes/999999/export/inzendingen.csv").status_code == 404


# --- Query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 3])
@pytest.mark.parametrize(
    ("kind", "queries"),
    [
        ("inzendingen", 5),
        ("beoordelingen", 6),
        ("rangschikking", 8),
        ("voortgang", 6),
    ],
)  # (each with the organiser's second-step device)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_query_count_does_not_grow(
    client, organiser, django_assert_num_queries, size, kind, queries, fmt
):
    round_, _entries, _members = _round(entries=size, jurors=size)

    with django_assert_num_queries(queries):
        response = _get(client, round_, kind, fmt)

    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 3])
def test_ranking_page_query_count_does_not_grow(client, organiser, django_assert_num_queries, size):
    round_, _entries, _members = _round(entries=size, jurors=size)

    with django_assert_num_queries(13):  # with the jury members' remarks
        response = client.get(f"/jury/rondes/{round_.pk}/rangschikking/")

    assert len(response.context["rows"]) == size


# --- Charts on the ranking page ------------------------------------------------------------------


def test_ranking_page_draws_leniency_and_distribution_charts(client, organiser, english):
    round_, _entries, _members = _round(entries=3, jurors=3)

    page = client.get(f"/jury/rondes/{round_.pk}/rangschikking/").content.decode()

    svgs = re.findall(r"<svg [^>]*>", page)
    assert len(svgs) == 4  # spread, offset, and one per criterion
    assert all('role="img"' in s and "aria-labelledby=" in s and "viewBox=" in s for s in svgs)
    assert all('width="100%"' in s for s in svgs)
    assert page.count('<circle class="chart-dot"') == 3
    assert page.count('class="chart-bar chart-') == 3
    assert "Mean score and spread per jury member</title>" in page
    assert "Estimated offset per jury member (additive model)</title>" in page
    assert "Scores for Connects people</title>" in page
    assert "Scores for Surprises</title>" in page
    # The text alternative: the table keeps every number the charts show.
    assert "jury0@example.org" in page
    assert '<caption id="leniency-caption">' in page


def test_distribution_chart_summary_lists_every_count(client, organiser, english):
    round_, _entries, _members = _round(entries=1, jurors=1)

    page = client.get(f"/jury/rondes/{round_.pk}/rangschikking/").content.decode()

    desc = re.search(r'<desc id="dist-desc-1">(.*?)</desc>', page, re.S).group(1)
    assert desc.startswith("1 score given. Score 1: 0 times. Score 2: 0 times.")
    assert "Score 9: 1 time. Score 10: 0 times." in desc


def test_chart_coordinates_are_never_localised(client, organiser):
    round_, _entries, _members = _round(entries=3, jurors=3)

    page = client.get(f"/jury/rondes/{round_.pk}/rangschikking/").content.decode()

    for svg in re.findall(r"<svg .*?</svg>", page, re.S):
        coordinates = re.findall(r' (?:x|y|x1|x2|y1|y2|cx|cy|width|height)="([^"]*)"', svg)
        assert coordinates
        assert all(re.fullmatch(r"-?\d+(\.\d)?|100%", c) for c in coordinates), coordinates


def test_export_links_on_the_round_and_ranking_pages(client, organiser, english):
    round_, _entries, _members = _round(entries=1, jurors=1)

    for path in (f"/jury/rondes/{round_.pk}/", f"/jury/rondes/{round_.pk}/rangschikking/"):
        page = client.get(path).content.decode()
        links = re.findall(rf'href="/jury/rondes/{round_.pk}/export/([a-z]+\.[a-z]+)"', page)
        assert set(links) == {f"{k}.{f}" for k in KINDS for f in ("csv", "xlsx")}
        assert "Downloads" in page


def test_leniency_table_shows_zero_as_a_number_not_a_dash(client, organiser, english):
    round_, _entries, _members = _round(entries=2, jurors=2)  # all agree; jury1 has one review

    page = client.get(f"/jury/rondes/{round_.pk}/rangschikking/").content.decode()

    row = re.search(r"<td>jury1@example\.org</td>(.*?)</tr>", page, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row) == ["1", "6.50", DASH, "0.00", DASH, "0.00"]
