"""Export everything of an edition: one XLSX workbook, or one CSV per sheet."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from common import tokens
from jury.reports.rounds import XLSX_CONTENT_TYPE
from prijzen.enums import EntryState
from tests.api_world import JUROR_REMARK, MOTIVATION, build_world
from tests.factories import EntryFactory, OrganiserFactory, UserFactory

pytestmark = pytest.mark.django_db

SHEETS = [
    "inzendingen",
    "initiatieven",
    "toestemmingen",
    "rondes",
    "beoordelingen",
    "cijfers",
    "belangenconflicten",
    "voordrachten",
    "winnaars",
    "logboek",
]


@pytest.fixture
def world(client):
    world = build_world()
    client.force_login(world.organiser)
    return world


def _book(client, slug):
    response = client.get(f"/organisatie/edities/{slug}/alles.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{slug}-alles.xlsx"'
    return load_workbook(io.BytesIO(response.content), read_only=True)


def _rows(book, name) -> list[tuple]:
    return [tuple(row) for row in book[name].iter_rows(values_only=True)]


def test_the_workbook_holds_every_part_of_the_edition(client, world):
    EntryFactory(
        category=world.x.category,
        initiative=world.x.initiative,
        title='=HYPERLINK("http://kwaad.example")',
    )

    book = _book(client, world.edition.slug)

    assert book.sheetnames == SHEETS
    entries = _rows(book, "inzendingen")
    assert entries[0][:4] == ("editie", "nummer", "titel", "status")
    titles = {row[2]: row[3] for row in entries[1:]}
    assert titles["Koffie in de kamer"] == "Ingediend"
    assert titles["Concept van B"] == "Concept"
    assert titles["Ingetrokken van A"] == "Ingetrokken"
    assert titles['\'=HYPERLINK("http://kwaad.example")'] == "Concept"  # no formula
    assert "entrant.a@example.org" in {row[4] for row in _rows(book, "initiatieven")}
    assert any(row[2] == "Privacyverklaring" for row in _rows(book, "toestemmingen"))
    assert any(row[4] == MOTIVATION for row in _rows(book, "winnaars"))
    assert any(f"{JUROR_REMARK} de collega" == row[7] for row in _rows(book, "beoordelingen"))
    assert any(row[4] is not None for row in _rows(book, "cijfers")[1:])
    assert any(row[5] == "Zelfde gemeente." for row in _rows(book, "belangenconflicten"))
    assert [row[2] for row in _rows(book, "voordrachten")[1:]] == ["Koffie in de kamer"]
    actions = {row[2] for row in _rows(book, "logboek")[1:]}
    assert {"award_recorded", "state_change"} <= actions


def test_one_sheet_as_csv_for_dutch_spreadsheets(client, world):
    response = client.get(f"/organisatie/edities/{world.edition.slug}/alles/beoordelingen.csv")

    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeffronde;nummer;titel;jurylid;status;")
    totals = [line.split(";")[6] for line in text.splitlines()[1:] if line.split(";")[6]]
    assert totals and all("," in total and "." not in total for total in totals)


def test_only_organisers_and_only_known_sheets(client, world):
    assert (
        client.get(f"/organisatie/edities/{world.edition.slug}/alles/geheim.csv").status_code == 404
    )
    client.force_login(UserFactory())
    assert client.get(f"/organisatie/edities/{world.edition.slug}/alles.xlsx").status_code == 404


def test_a_script_downloads_the_same_files_with_an_api_token(client, world):
    """The API gives what the edition page gives, byte for byte (one owner: the export)."""
    _, raw = tokens.create_token(
        user=world.organiser,
        name="export",
        scope="read",
        expires_at=timezone.now() + timedelta(days=1),
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    base = f"/api/v1/editions/{world.edition.slug}/export/"

    book = api.get(base)
    sheet = api.get(f"{base}toestemmingen/")
    unknown = api.get(f"{base}geheim/")

    assert book["Content-Type"] == XLSX_CONTENT_TYPE
    assert load_workbook(io.BytesIO(book.content), read_only=True).sheetnames == SHEETS
    page = client.get(f"/organisatie/edities/{world.edition.slug}/alles/toestemmingen.csv")
    assert b"".join(sheet.streaming_content) == b"".join(page.streaming_content)
    assert sheet["Content-Disposition"] == (
        f'attachment; filename="{world.edition.slug}-toestemmingen.csv"'
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("extra", [0, 20])
def test_the_queries_do_not_grow_with_the_entries(client, world, extra):
    for n in range(extra):
        EntryFactory(category=world.x.category, state=EntryState.DRAFT, title=f"Extra {n}")
    client.force_login(OrganiserFactory())

    with CaptureQueriesContext(connection) as queries:
        _book(client, world.edition.slug)

    # session, user, second-step device, edition, one per sheet (two for the scores: the
    # criteria and the reviews)
    assert len(queries) == 4 + len(SHEETS) + 1, [q["sql"] for q in queries]
