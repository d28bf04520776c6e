"""Organisers approve entries for the public gallery when the edition asks for it."""

import pytest

from common.models import AuditLog
from prijzen.models import Entry
from prijzen.selectors import public_entries
from tests.factories import CategoryFactory, OrganiserFactory, UserFactory
from tests.prijzen.results_data import public_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    category = CategoryFactory(edition__gallery_review=True)
    return public_entry(category, number=1, title="Koffie en een warm welkom")


def test_an_entry_shows_only_after_approval_when_the_edition_asks(client, entry):
    gallery = f"/edities/{entry.edition.slug}/galerij/"
    organiser = OrganiserFactory()
    organisers = client.__class__()
    organisers.force_login(organiser)

    before = client.get(gallery).content.decode()
    page = organisers.get(f"/inzendingen/{entry.pk}/").content.decode()
    organisers.post(f"/inzendingen/{entry.pk}/galerij/", {"approved": "1"})
    after = client.get(gallery).content.decode()

    assert "Koffie en een warm welkom" not in before
    assert "Nog niet goedgekeurd voor de galerij" in page
    assert "Koffie en een warm welkom" in after
    assert AuditLog.objects.get(action="gallery_approval").actor == organiser
    organisers.post(f"/inzendingen/{entry.pk}/galerij/", {"approved": "0"})
    assert list(public_entries(entry.edition)) == []


def test_without_review_a_consented_entry_shows_at_once(entry):
    entry.edition.gallery_review = False
    entry.edition.save()

    assert list(public_entries(entry.edition)) == [Entry.objects.get(pk=entry.pk)]


def test_only_organisers_approve(client, entry):
    client.force_login(UserFactory())

    assert client.post(f"/inzendingen/{entry.pk}/galerij/", {"approved": "1"}).status_code == 404
    assert Entry.objects.get(pk=entry.pk).gallery_approved_at is None


def test_the_organisers_home_lists_entries_waiting_for_approval(client, entry):
    client.force_login(OrganiserFactory())

    page = client.get("/organisatie/").content.decode()

    assert "1 inzending wacht op goedkeuring voor de galerij." in page
