"""Issue 11, finding 11: an initiative cannot get more active entries than the edition allows
by withdrawing, starting a new entry and then taking the old one back."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from common.models import AuditLog
from prijzen.enums import EntryState
from prijzen.models import Entry
from tests.factories import (
    CategoryFactory,
    EditionFactory,
    EntryFactory,
    InitiativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIMIT = "Jullie initiatief doet al mee aan deze editie. Je kunt die inzending aanpassen."


@pytest.fixture
def world():
    edition = EditionFactory(slug="nvp-2021")
    CategoryFactory(edition=edition, slug="lokaal", position=0)
    entrant = UserFactory(email="anna@example.org", email_verified_at=timezone.now())
    initiative = InitiativeFactory(owner=entrant, name="Koffie bij Anna")
    EntryFactory(
        initiative=initiative,
        category=edition.categories.get(),
        state=EntryState.SUBMITTED,
        number=1,
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    client.force_login(entrant)
    return client


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_reopen_over_the_limit_is_refused_in_the_api(world):
    first = {"id": Entry.objects.get().pk}
    _post(world, f"/api/v1/entries/{first['id']}/withdraw/")
    second = _post(world, "/api/v1/entries/", {"edition": "nvp-2021", "category": "lokaal"})

    response = _post(world, f"/api/v1/entries/{first['id']}/reopen/")

    assert (response.status_code, response.json()["code"]) == (400, "entry_limit")
    assert response.json()["message"] == LIMIT
    states = dict(Entry.objects.values_list("pk", "state"))
    assert states == {first["id"]: EntryState.WITHDRAWN, second.json()["id"]: EntryState.DRAFT}
    assert not AuditLog.objects.filter(action="entry_reopened").exists()


def test_reopen_over_the_limit_is_refused_on_the_page(world):
    first_id = Entry.objects.get().pk
    world.post(f"/inzendingen/{first_id}/intrekken/", {"confirm": "1"})
    world.post("/meedoen/nvp-2021/")

    response = world.post(f"/inzendingen/{first_id}/opnieuw/", {"confirm": "1"})

    assert response.status_code == 302
    assert response["Location"] == f"/inzendingen/{first_id}/"
    assert LIMIT in world.get(response["Location"]).content.decode()
    assert list(Entry.objects.order_by("pk").values_list("state", flat=True)) == [
        EntryState.WITHDRAWN,
        EntryState.DRAFT,
    ]


def test_reopen_within_the_limit_still_works(world):
    first = {"id": Entry.objects.get().pk}
    _post(world, f"/api/v1/entries/{first['id']}/withdraw/")

    response = _post(world, f"/api/v1/entries/{first['id']}/reopen/")

    assert (response.status_code, response.json()["state"]) == (200, "draft")
