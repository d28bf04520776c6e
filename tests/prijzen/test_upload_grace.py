"""The grace period: an upload that started before the deadline may finish, be processed, and
the entry then be submitted, through the page and the API; nothing else changes after the
deadline."""

from datetime import timedelta

import pytest
from django.utils import timezone

from media_pipeline.enums import AssetState
from media_pipeline.models import MediaAsset
from prijzen.enums import ConsentKind, EntryState
from prijzen.models import Consent, Entry
from prijzen.wordings import current_wording
from tests.factories import EditionFactory, EntryFactory, InitiativeFactory, UserFactory

pytestmark = pytest.mark.django_db


def _entry_uploading_at_the_deadline(client, *, minutes_ago=5, grace=60):
    """A complete draft whose vlog upload started 10 minutes before a deadline that passed
    ``minutes_ago`` minutes ago."""
    now = timezone.now()
    edition = EditionFactory(
        entries_open_at=now - timedelta(days=10),
        entries_close_at=now - timedelta(minutes=minutes_ago),
        upload_grace_minutes=grace,
    )
    owner = UserFactory(email_verified_at=now)
    entry = EntryFactory(
        edition=edition,
        category__edition=edition,
        initiative=InitiativeFactory(owner=owner),
        title="Koffie",
        summary="Kort",
        answer="Een maatje.",
    )
    for kind in (ConsentKind.PRIVACY, ConsentKind.PEOPLE):
        Consent.objects.create(
            entry=entry, kind=kind, wording=current_wording(entry.edition, kind), given_by=owner
        )
    pending = MediaAsset.objects.create(
        owner=owner, original_key=f"originals/{entry.pk}", state=AssetState.PROCESSING
    )
    MediaAsset.objects.filter(pk=pending.pk).update(
        created_at=edition.entries_close_at - timedelta(minutes=10)
    )
    entry.pending_vlog = pending
    entry.save()
    client.force_login(owner)
    return entry, pending


def _processed(entry, pending):
    """The worker finished after the deadline and the vlog was promoted."""
    MediaAsset.objects.filter(pk=pending.pk).update(
        state=AssetState.READY, processed_at=timezone.now()
    )
    Entry.objects.filter(pk=entry.pk).update(vlog=pending, pending_vlog=None)


def test_an_upload_started_in_time_is_submitted_within_the_grace_period(client):
    entry, pending = _entry_uploading_at_the_deadline(client)
    url = f"/inzendingen/{entry.pk}/bewerken/"

    while_processing = client.get(url)
    too_early = client.post(url, {"submit": "1"}, follow=True)
    _processed(entry, pending)
    texts = client.post(url, {"title": "Andere titel"}, follow=True)
    submitted = client.post(url, {"submit": "1"})

    assert while_processing.status_code == 200
    assert "je vlog-upload begon op tijd" in while_processing.content.decode()
    assert "Dit ontbreekt nog: een vlog die klaar is." in too_early.content.decode()
    assert "de teksten kunnen niet meer veranderen" in texts.content.decode()
    assert submitted["Location"] == f"/inzendingen/{entry.pk}/"
    entry.refresh_from_db()
    assert (entry.state, entry.title, entry.number) == (EntryState.SUBMITTED, "Koffie", 1)


def test_after_the_grace_period_the_entry_stays_a_draft(client):
    entry, pending = _entry_uploading_at_the_deadline(client, minutes_ago=61, grace=60)
    _processed(entry, pending)

    page = client.get(f"/inzendingen/{entry.pk}/bewerken/")
    api = client.post(f"/api/v1/entries/{entry.pk}/submit/")

    assert page["Location"] == f"/inzendingen/{entry.pk}/"
    assert (api.status_code, api.json()["code"]) == (400, "closed")
    assert Entry.objects.get(pk=entry.pk).state == EntryState.DRAFT


def test_a_vlog_that_was_ready_before_the_deadline_gets_no_grace(client):
    entry, pending = _entry_uploading_at_the_deadline(client)
    _processed(entry, pending)
    MediaAsset.objects.filter(pk=pending.pk).update(
        processed_at=entry.edition.entries_close_at - timedelta(minutes=1)
    )

    response = client.post(f"/api/v1/entries/{entry.pk}/submit/")

    assert response.json()["code"] == "closed"


def test_the_api_submits_within_the_grace_period_too(client):
    entry, pending = _entry_uploading_at_the_deadline(client)
    _processed(entry, pending)

    response = client.post(f"/api/v1/entries/{entry.pk}/submit/")

    assert response.status_code == 200
    assert response.json()["state"] == "submitted"
