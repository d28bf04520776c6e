"""Organisers approve entries for the public gallery when the edition asks for it."""

import pytest

from common.models import AuditLog
from prijzen.models import Entry
from results.selectors import public_entries
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


def test_the_api_approves_for_the_gallery_and_chooses_the_poster_moment(client, entry):
    from decimal import Decimal

    from media_pipeline.models import MediaAsset

    MediaAsset.objects.filter(pk=entry.vlog_id).update(duration=Decimal("12.0"))
    client.force_login(OrganiserFactory())
    approved = client.post(
        f"/api/v1/entries/{entry.pk}/gallery-approval/",
        {"approved": True},
        content_type="application/json",
    )
    client.force_login(entry.initiative.owner)
    chosen = client.post(
        f"/api/v1/entries/{entry.pk}/poster/",
        {"at_seconds": "3.5"},
        content_type="application/json",
    )
    too_late = client.post(
        f"/api/v1/entries/{entry.pk}/poster/", {"at_seconds": "30"}, content_type="application/json"
    )

    assert approved.status_code == 200
    assert list(public_entries(entry.edition)) == [Entry.objects.get(pk=entry.pk)]
    assert chosen.status_code == 200
    assert MediaAsset.objects.get(pk=entry.vlog_id).poster_at == Decimal("3.500")
    assert (too_late.status_code, too_late.json()["code"]) == (400, "poster_out_of_range")
