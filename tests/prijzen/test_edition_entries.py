"""The organisers' entries list of an edition: search, filters, pages, a fixed number of
queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from media_pipeline.models import MediaAsset
from prijzen.enums import EntryState
from prijzen.wordings import current_wording
from tests.factories import (
    CategoryFactory,
    EntryFactory,
    InitiativeFactory,
    OrganiserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    return re.findall(
        r'<td><a href="/inzendingen/\d+/">([^<]+)</a></td>', response.content.decode()
    )


@pytest.fixture
def edition(client):
    lokaal = CategoryFactory(slug="lokaal", name="Lokaal")
    landelijk = CategoryFactory(edition=lokaal.edition, slug="landelijk", name="Landelijk")
    EntryFactory(
        category=lokaal,
        title="Koffie in Zwolle",
        number=1,
        state=EntryState.SUBMITTED,
        initiative=InitiativeFactory(name="Buurtkamer", province="Overijssel"),
    )
    EntryFactory(
        category=landelijk,
        title="Taal voor iedereen",
        number=2,
        state=EntryState.SUBMITTED,
        initiative=InitiativeFactory(name="Taalhuis", province="Utrecht"),
    )
    EntryFactory(
        category=lokaal,
        title="Nog een concept",
        initiative=InitiativeFactory(name="Tuin", province="Utrecht"),
    )
    client.force_login(OrganiserFactory())
    return lokaal.edition


def test_search_and_filters(client, edition):
    url = f"/organisatie/edities/{edition.slug}/inzendingen/"

    assert _titles(client.get(url)) == ["Koffie in Zwolle", "Taal voor iedereen", "Nog een concept"]
    assert _titles(client.get(url, {"q": "taalhuis"})) == ["Taal voor iedereen"]
    assert _titles(client.get(url, {"q": "1"})) == ["Koffie in Zwolle"]
    assert _titles(client.get(url, {"category": "lokaal", "state": "draft"})) == ["Nog een concept"]
    assert _titles(client.get(url, {"province": "Utrecht"})) == [
        "Taal voor iedereen",
        "Nog een concept",
    ]
    bad = client.get(url, {"state": "gewonnen"})
    assert bad.status_code == 200  # an unknown value is ignored with a message on the field
    assert "Selecteer een geldige keuze." in bad.content.decode()


def test_pages_of_fifty_keep_the_filters(client, edition):
    category = edition.categories.get(slug="lokaal")
    for n in range(60):
        EntryFactory(
            category=category, title=f"Extra {n:02d}", state=EntryState.SUBMITTED, number=100 + n
        )
    url = f"/organisatie/edities/{edition.slug}/inzendingen/"

    first = client.get(url, {"state": "submitted"})
    second = client.get(url, {"state": "submitted", "pagina": "2"})

    assert len(_titles(first)) == 50
    assert "state=submitted&amp;pagina=2" in first.content.decode()
    assert len(_titles(second)) == 12
    assert "Pagina 2 van 2" in second.content.decode()


@pytest.mark.parametrize("extra", [0, 99])
def test_the_list_takes_the_same_queries_for_one_or_a_hundred_entries(client, extra):
    category = CategoryFactory()
    for n in range(extra + 1):
        entry = EntryFactory(category=category, number=n + 1, state=EntryState.SUBMITTED)
        entry.vlog = MediaAsset.objects.create(
            owner=entry.initiative.owner, original_key=f"originals/{entry.pk}"
        )
        entry.save()
    client.force_login(OrganiserFactory())

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/organisatie/edities/{category.edition.slug}/inzendingen/")

    assert len(_titles(response)) == min(extra + 1, 50)
    # session, user, second-step device, edition, categories (filter), count, page
    assert len(queries) == 7, [q["sql"] for q in queries]


def test_only_organisers(client, edition):
    client.force_login(UserFactory())

    assert client.get(f"/organisatie/edities/{edition.slug}/inzendingen/").status_code == 404


def test_an_organiser_sees_the_entrys_record_with_consents_and_history(client, edition):
    from prijzen import services
    from prijzen.models import Consent, Entry

    entry = Entry.objects.get(title="Koffie in Zwolle")
    owner = entry.initiative.owner
    Consent.objects.create(
        entry=entry,
        kind="privacy",
        wording=current_wording(entry.edition, "privacy"),
        given_by=owner,
    )
    services.set_publication_consent(entry=entry, given=True, actor=owner)
    services.set_publication_consent(entry=entry, given=False, actor=owner)

    page = " ".join(client.get(f"/inzendingen/{entry.pk}/").content.decode().split())
    client.force_login(owner)
    own = client.get(f"/inzendingen/{entry.pk}/").content.decode()

    assert "Dossier (alleen voor de organisatie)" in page
    assert "(versie van de tekst 1): “Ik heb de privacyverklaring gelezen." in page
    assert f"door {owner.email}" in page and "ingetrokken op" in page
    history = page.split("Geschiedenis", 1)[1]
    assert history.index("consent_given") < history.index("consent_withdrawn")
    assert "Dossier" not in own
