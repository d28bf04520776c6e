"""The entrant's initiative and entries through the API, with the same rules as the pages:
deadline, completeness, consents, numbers, 404 for what is not yours, lists that never hold
another person's objects."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common import tokens
from common.models import ApiToken, AuditLog
from media_pipeline.models import MediaAsset, Rendition
from prijzen.enums import ConsentKind, EntryState
from prijzen.models import Consent, Entry, Initiative
from prijzen.wordings import current_wording
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    EditionFactory,
    EntryFactory,
    InitiativeFactory,
    OrganiserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ALL_CONSENTS = ["people", "privacy"]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


@pytest.fixture
def edition():
    edition = EditionFactory(slug="nvp-2021", question="Hoe verwelkomt u nieuwe vrijwilligers?")
    CategoryFactory(edition=edition, slug="lokaal", position=0)
    CategoryFactory(edition=edition, slug="landelijk", position=1)
    return edition


@pytest.fixture
def entrant():
    return UserFactory(email="anna@example.org", email_verified_at=timezone.now())


@pytest.fixture
def initiative(entrant):
    return InitiativeFactory(owner=entrant, name="Koffie bij Anna")


@pytest.fixture
def api(entrant):
    client = Client()
    client.force_login(entrant)
    return client


@pytest.fixture
def others_entry(edition):
    """Bram's entry in the same edition: it must never show up for Anna."""
    bram = UserFactory(email="bram@example.org")
    return EntryFactory(
        initiative=InitiativeFactory(owner=bram, name="Thee bij Bram"),
        category=edition.categories.get(slug="lokaal"),
        title="Thee bij Bram",
    )


def ready_vlog(owner, *, poster: bool = False) -> MediaAsset:
    asset = MediaAsset.objects.create(
        owner=owner,
        original_key=f"originals/{owner.pk}-{MediaAsset.objects.count()}",
        state="ready",
        duration="61.500",
        width=1280,
        height=720,
        progress=100,
    )
    kinds = ["preview", "poster"] if poster else ["preview"]
    for kind in kinds:
        Rendition.objects.create(
            asset=asset,
            kind=kind,
            key=f"renditions/{asset.uid}/{kind}",
            content_type="video/mp4" if kind == "preview" else "image/jpeg",
            size_bytes=1000,
            width=1280,
            height=720,
        )
    return asset


def complete_entry(initiative, edition, **extra) -> Entry:
    entry = EntryFactory(
        initiative=initiative,
        category=edition.categories.get(slug="lokaal"),
        title="Koffie",
        summary="Wij schenken koffie.",
        answer="Met een warm welkom.",
        vlog=ready_vlog(initiative.owner),
        **extra,
    )
    for kind in ALL_CONSENTS:
        Consent.objects.create(
            entry=entry,
            kind=kind,
            wording=current_wording(entry.edition, kind),
            given_by=initiative.owner,
        )
    return entry


def close(edition) -> None:
    edition.entries_open_at = timezone.now() - dt.timedelta(days=30)
    edition.entries_close_at = timezone.now() - dt.timedelta(minutes=1)
    edition.save()


def post(client, url, data=None, **extra):
    return client.post(url, data or {}, content_type="application/json", **extra)


def patch(client, url, data, **extra):
    return client.patch(url, data, content_type="application/json", **extra)


def put(client, url, data, **extra):
    return client.put(url, data, content_type="application/json", **extra)


# --- Initiative ----------------------------------------------------------------------------------

INITIATIVE = {
    "name": "Buurthuis De Linde",
    "municipality": "Zwolle",
    "contact_name": "Anna de Vries",
    "website": "www.delinde.nl",
}


def test_no_initiative_is_404(api):
    response = api.get("/api/v1/initiative/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Niet gevonden.", "fields": {}}


def test_put_creates_the_initiative_with_the_province_from_the_municipality(api, entrant):
    response = put(api, "/api/v1/initiative/", {**INITIATIVE, "province": "Limburg"})

    assert response.status_code == 201
    initiative = Initiative.objects.get()
    assert (initiative.owner, initiative.name, initiative.municipality, initiative.province) == (
        entrant,
        "Buurthuis De Linde",
        "Zwolle",
        "Overijssel",
    )
    assert initiative.website == "https://www.delinde.nl"
    assert response.json()["province"] == "Overijssel"
    assert AuditLog.objects.filter(action="initiative_saved", object_id=initiative.pk).exists()


def test_put_refuses_an_unknown_municipality_and_changes_nothing(api):
    response = put(api, "/api/v1/initiative/", {**INITIATIVE, "municipality": "Atlantis"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"] == {"municipality": ["Kies je gemeente uit de lijst."]}
    assert Initiative.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**INITIATIVE, "name": ""}, "name"),
        ({**INITIATIVE, "name": ["Lijst"]}, "name"),
        ({**INITIATIVE, "name": "x" * 201}, "name"),
        ({k: v for k, v in INITIATIVE.items() if k != "contact_name"}, "contact_name"),
        ({**INITIATIVE, "website": "geen adres"}, "website"),
        ({**INITIATIVE, "description": "x" * 1001}, "description"),
    ],
)
def test_put_refuses_bad_input(api, data, field):
    response = put(api, "/api/v1/initiative/", data)

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert Initiative.objects.count() == 0


def test_patch_changes_only_what_is_sent(api, initiative):
    response = patch(api, "/api/v1/initiative/", {"municipality": "Maastricht"})

    assert response.status_code == 200
    initiative.refresh_from_db()
    assert (initiative.name, initiative.municipality, initiative.province) == (
        "Koffie bij Anna",
        "Maastricht",
        "Limburg",
    )


def test_patch_without_an_initiative_needs_every_required_field(api):
    response = patch(api, "/api/v1/initiative/", {"name": "Alleen een naam"})

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"municipality", "contact_name"}
    assert Initiative.objects.count() == 0


def test_initiative_is_always_the_users_own(api, initiative):
    InitiativeFactory(name="Van een ander")

    response = api.get("/api/v1/initiative/")

    assert response.json()["name"] == "Koffie bij Anna"
    assert response.json()["id"] == initiative.pk


def test_json_is_required(api):
    response = api.put("/api/v1/initiative/", "name=x", content_type="text/plain")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert set(response.json()) == {"code", "message", "fields"}


# --- Creating entries ----------------------------------------------------------------------------


def test_create_entry_makes_a_draft_with_texts_and_consents(api, initiative, edition):
    response = post(
        api,
        "/api/v1/entries/",
        {
            "edition": "nvp-2021",
            "category": "landelijk",
            "title": "Koffie",
            "summary": "Wij schenken koffie.",
            "consents": ["privacy", "publication"],
        },
    )

    assert response.status_code == 201
    entry = Entry.objects.get()
    body = response.json()
    assert (entry.initiative, entry.category.slug, entry.title, entry.state) == (
        initiative,
        "landelijk",
        "Koffie",
        EntryState.DRAFT,
    )
    assert (body["id"], body["state"], body["number"]) == (entry.pk, "draft", None)
    assert body["consents"] == ["privacy", "publication"]
    assert len(body["missing"]) == 3  # the answer, a vlog, the people consent
    assert AuditLog.objects.filter(action="entry_started", object_id=entry.pk).exists()


def test_create_ignores_a_state_in_the_body(api, initiative, edition):
    response = post(
        api,
        "/api/v1/entries/",
        {
            "edition": "nvp-2021",
            "category": "lokaal",
            "state": "submitted",
            "number": 7,
        },
    )

    assert response.status_code == 201
    entry = Entry.objects.get()
    assert (entry.state, entry.number) == (EntryState.DRAFT, None)


def test_create_needs_an_initiative_first(api, edition):
    response = post(api, "/api/v1/entries/", {"edition": "nvp-2021", "category": "lokaal"})

    assert response.status_code == 400
    assert response.json() == {
        "code": "no_initiative",
        "message": "Vertel eerst iets over je initiatief.",
        "fields": {},
    }
    assert Entry.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"edition": "nvp-2021", "category": "bestaat-niet"}, "category"),
        ({"edition": "bestaat-niet", "category": "lokaal"}, "edition"),
        ({"category": "lokaal"}, "edition"),
        ({"edition": "nvp-2021", "category": "lokaal", "title": "x" * 121}, "title"),
        ({"edition": "nvp-2021", "category": "lokaal", "consents": ["alles"]}, "consents"),
        ({"edition": "nvp-2021", "category": "lokaal", "consents": "privacy"}, "consents"),
        (
            {"edition": "nvp-2021", "category": "lokaal", "consents": ["people", "people"]},
            "consents",
        ),
        ({"edition": "nvp-2021", "category": "lokaal", "title": {"a": 1}}, "title"),
    ],
)
def test_create_refuses_bad_input(api, initiative, edition, data, field):
    response = post(api, "/api/v1/entries/", data)

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert Entry.objects.count() == 0


def test_create_refuses_a_category_of_another_edition(api, initiative, edition):
    CategoryFactory(slug="elders")

    response = post(api, "/api/v1/entries/", {"edition": "nvp-2021", "category": "elders"})

    assert response.status_code == 400
    assert response.json()["fields"] == {"category": ["Kies een categorie."]}
    assert Entry.objects.count() == 0


def test_create_after_the_deadline_is_refused(api, initiative, edition):
    close(edition)

    response = post(api, "/api/v1/entries/", {"edition": "nvp-2021", "category": "lokaal"})

    assert response.status_code == 400
    assert response.json()["code"] == "closed"
    assert Entry.objects.count() == 0


def test_create_a_second_entry_is_refused(api, initiative, edition):
    post(api, "/api/v1/entries/", {"edition": "nvp-2021", "category": "lokaal"})

    response = post(api, "/api/v1/entries/", {"edition": "nvp-2021", "category": "lokaal"})

    assert response.status_code == 400
    assert response.json()["code"] == "entry_limit"
    assert Entry.objects.count() == 1


# --- Lists and details ---------------------------------------------------------------------------


def _ids(response) -> list[int]:
    return [e["id"] for e in response.json()["results"]]


def test_entrant_lists_only_own_entries(api, initiative, edition, others_entry):
    own = EntryFactory(initiative=initiative, category=edition.categories.first())

    response = api.get("/api/v1/entries/")

    assert response.status_code == 200
    assert _ids(response) == [own.pk]
    assert "Thee bij Bram" not in response.content.decode()


def test_organiser_lists_every_entry(client, initiative, edition, others_entry):
    own = EntryFactory(initiative=initiative, category=edition.categories.first())
    client.force_login(OrganiserFactory())

    response = client.get("/api/v1/entries/?ordering=title")

    assert _ids(response) == [own.pk, others_entry.pk]  # "Inzending ..." < "Thee bij Bram"
    assert response.json()["count"] == 2


def test_juror_lists_nothing_unassigned(client, others_entry):
    client.force_login(UserFactory(role="juror"))

    assert client.get("/api/v1/entries/").json()["results"] == []


def test_anonymous_gets_401(client, others_entry):
    response = client.get("/api/v1/entries/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_list_filters_by_edition_category_and_state(client, edition, others_entry):
    other_edition = EditionFactory(slug="nvp-2022")
    later = EntryFactory(category=CategoryFactory(edition=other_edition, slug="lokaal"))
    landelijk = EntryFactory(category=edition.categories.get(slug="landelijk"))
    Entry.objects.filter(pk=landelijk.pk).update(state=EntryState.SUBMITTED, number=1)
    client.force_login(OrganiserFactory())

    by_edition = client.get("/api/v1/entries/?edition=nvp-2022")
    by_category = client.get("/api/v1/entries/?edition=nvp-2021&category=landelijk")
    by_state = client.get("/api/v1/entries/?state=submitted")
    drafts = client.get("/api/v1/entries/?state=draft&ordering=-title")

    assert _ids(by_edition) == [later.pk]
    assert _ids(by_category) == [landelijk.pk]
    assert _ids(by_state) == [landelijk.pk]
    assert sorted(_ids(drafts)) == sorted([later.pk, others_entry.pk])


@pytest.mark.parametrize("query", ["state=ingediend", "ordering=secret", "page=99", "page=x"])
def test_list_refuses_bad_parameters(client, others_entry, query):
    client.force_login(OrganiserFactory())

    response = client.get(f"/api/v1/entries/?{query}")

    if query.startswith("ordering"):  # an unknown ordering field is ignored, as DRF does
        assert response.status_code == 200
        assert _ids(response) == [others_entry.pk]
    else:
        assert response.status_code in (400, 404)
        assert set(response.json()) == {"code", "message", "fields"}


def test_page_size_within_the_stated_bounds_and_refused_outside(client, edition):
    client.force_login(OrganiserFactory())
    for _ in range(3):
        EntryFactory(category=edition.categories.first())

    small = client.get("/api/v1/entries/?page_size=2")
    largest = client.get("/api/v1/entries/?page_size=200")
    refused = [
        client.get(f"/api/v1/entries/?page_size={value}")
        for value in ("0", "201", "null", "-1", "2.5", "")
    ]

    assert (len(small.json()["results"]), small.json()["count"]) == (2, 3)
    assert small.json()["next"].endswith("page=2&page_size=2")
    assert len(largest.json()["results"]) == 3
    assert [r.status_code for r in refused] == [400] * 6
    assert refused[0].json()["fields"] == {"page_size": ["Kies een paginagrootte van 1 tot 200."]}


def test_someone_elses_entry_is_404_everywhere(api, initiative, others_entry):
    base = f"/api/v1/entries/{others_entry.pk}/"
    responses = [
        api.get(base),
        api.get(base + "vlog/"),
        patch(api, base, {"title": "Gekaapt"}),
        post(api, base + "submit/"),
        post(api, base + "withdraw/"),
        post(api, base + "reopen/"),
        post(api, base + "publication-consent/", {"given": True}),
    ]

    assert [r.status_code for r in responses] == [404] * 7
    assert {r.json()["code"] for r in responses} == {"not_found"}
    others_entry.refresh_from_db()
    assert others_entry.title == "Thee bij Bram"
    assert not others_entry.consents.exists()


@pytest.mark.parametrize(("language", "message"), [("nl", "Niet gevonden."), ("en", "Not found.")])
def test_not_found_message_follows_accept_language(api, others_entry, language, message):
    response = api.get(f"/api/v1/entries/{others_entry.pk}/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.json()["message"] == message


def test_organiser_may_look_but_not_change(client, others_entry):
    client.force_login(OrganiserFactory())
    base = f"/api/v1/entries/{others_entry.pk}/"

    seen = client.get(base)
    changed = patch(client, base, {"title": "Door de organisatie"})
    consent = post(client, base + "publication-consent/", {"given": True})

    assert seen.json()["title"] == "Thee bij Bram"
    assert seen.json()["initiative"]["name"] == "Thee bij Bram"
    assert (changed.status_code, consent.status_code) == (403, 403)
    assert changed.json()["code"] == "not_allowed"
    others_entry.refresh_from_db()
    assert others_entry.title == "Thee bij Bram"


# --- Changing entries ----------------------------------------------------------------------------


def test_patch_changes_texts_category_and_consents(api, initiative, edition):
    entry = EntryFactory(initiative=initiative, category=edition.categories.get(slug="lokaal"))

    response = patch(
        api,
        f"/api/v1/entries/{entry.pk}/",
        {
            "title": "Nieuw",
            "category": "landelijk",
            "consents": ["privacy", "people"],
        },
    )

    assert response.status_code == 200
    entry.refresh_from_db()
    assert (entry.title, entry.category.slug) == ("Nieuw", "landelijk")
    assert response.json()["consents"] == ["people", "privacy"]


def test_patch_without_consents_keeps_them(api, initiative, edition):
    entry = complete_entry(initiative, edition)

    patch(api, f"/api/v1/entries/{entry.pk}/", {"title": "Anders"})

    assert sorted(c.kind for c in entry.consents.filter(withdrawn_at__isnull=True)) == [
        "people",
        "privacy",
    ]


@pytest.mark.parametrize(
    "data", [{}, {"state": "submitted"}, {"number": 1}, {"title": 12}, {"category": "elders"}]
)
def test_patch_refuses_bad_input_and_state(api, initiative, edition, data):
    CategoryFactory(slug="elders")
    entry = EntryFactory(initiative=initiative, category=edition.categories.first(), title="Oud")

    response = patch(api, f"/api/v1/entries/{entry.pk}/", data)

    entry.refresh_from_db()
    if data == {"title": 12}:  # a number is a valid text
        assert response.status_code == 200
        assert entry.title == "12"
        return
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert (entry.title, entry.state) == ("Oud", EntryState.DRAFT)


def test_submitted_entry_must_stay_complete(api, initiative, edition):
    entry = complete_entry(initiative, edition, state=EntryState.SUBMITTED, number=1)

    emptied = patch(api, f"/api/v1/entries/{entry.pk}/", {"summary": ""})
    consent = patch(api, f"/api/v1/entries/{entry.pk}/", {"consents": ["privacy"]})

    assert (emptied.status_code, consent.status_code) == (400, 400)
    assert emptied.json()["code"] == consent.json()["code"] == "incomplete"
    entry.refresh_from_db()
    assert entry.summary == "Wij schenken koffie."


def test_patch_after_the_deadline_is_refused(api, initiative, edition):
    entry = EntryFactory(initiative=initiative, category=edition.categories.first(), title="Oud")
    close(edition)

    response = patch(api, f"/api/v1/entries/{entry.pk}/", {"title": "Te laat"})

    assert response.status_code == 400
    assert response.json()["code"] == "closed"
    entry.refresh_from_db()
    assert entry.title == "Oud"


def test_put_is_not_allowed_on_entries(api, initiative, edition):
    entry = EntryFactory(initiative=initiative, category=edition.categories.first())

    response = put(api, f"/api/v1/entries/{entry.pk}/", {"title": "x"})

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


# --- Actions -------------------------------------------------------------------------------------


def test_submit_gives_a_number_and_sends_the_receipt(
    api, initiative, edition, django_capture_on_commit_callbacks
):
    entry = complete_entry(initiative, edition)
    EntryFactory(category=edition.categories.first(), state=EntryState.SUBMITTED, number=4)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, f"/api/v1/entries/{entry.pk}/submit/")

    assert response.status_code == 200
    assert (response.json()["state"], response.json()["number"]) == ("submitted", 5)
    assert response.json()["missing"] == []
    entry.refresh_from_db()
    assert (entry.state, entry.number) == (EntryState.SUBMITTED, 5)
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]


def test_submit_of_an_incomplete_entry_is_refused(api, initiative, edition):
    entry = EntryFactory(initiative=initiative, category=edition.categories.first(), title="x")

    response = post(api, f"/api/v1/entries/{entry.pk}/submit/")

    assert response.status_code == 400
    assert response.json()["code"] == "incomplete"
    entry.refresh_from_db()
    assert (entry.state, entry.number) == (EntryState.DRAFT, None)


def test_submit_needs_a_verified_address(client, edition):
    unverified = UserFactory(email_verified_at=None)
    entry = complete_entry(InitiativeFactory(owner=unverified), edition)
    client.force_login(unverified)

    response = post(client, f"/api/v1/entries/{entry.pk}/submit/")

    assert response.json()["code"] == "unverified"
    entry.refresh_from_db()
    assert entry.state == EntryState.DRAFT


def test_submit_after_the_deadline_is_refused(api, initiative, edition):
    entry = complete_entry(initiative, edition)
    close(edition)

    response = post(api, f"/api/v1/entries/{entry.pk}/submit/")

    assert (response.status_code, response.json()["code"]) == (400, "closed")
    entry.refresh_from_db()
    assert entry.state == EntryState.DRAFT


def test_submitting_twice_is_a_conflict(api, initiative, edition):
    entry = complete_entry(initiative, edition)
    post(api, f"/api/v1/entries/{entry.pk}/submit/")

    response = post(api, f"/api/v1/entries/{entry.pk}/submit/")

    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    entry.refresh_from_db()
    assert entry.number == 1


def test_withdraw_and_reopen(api, initiative, edition):
    entry = complete_entry(initiative, edition, state=EntryState.SUBMITTED, number=3)

    withdrawn = post(api, f"/api/v1/entries/{entry.pk}/withdraw/")
    reopened = post(api, f"/api/v1/entries/{entry.pk}/reopen/")

    assert (withdrawn.status_code, withdrawn.json()["state"]) == (200, "withdrawn")
    assert (reopened.status_code, reopened.json()["state"]) == (200, "draft")
    entry.refresh_from_db()
    assert (entry.state, entry.number) == (EntryState.DRAFT, 3)


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (EntryState.DRAFT, "withdraw"),
        (EntryState.DRAFT, "reopen"),
        (EntryState.SUBMITTED, "reopen"),
        (EntryState.WITHDRAWN, "withdraw"),
    ],
)
def test_actions_outside_the_state_table_are_conflicts(api, initiative, edition, state, action):
    entry = complete_entry(initiative, edition, state=state, number=1)

    response = post(api, f"/api/v1/entries/{entry.pk}/{action}/")

    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    entry.refresh_from_db()
    assert entry.state == state


def test_withdraw_after_the_deadline_is_refused(api, initiative, edition):
    entry = complete_entry(initiative, edition, state=EntryState.SUBMITTED, number=1)
    close(edition)

    response = post(api, f"/api/v1/entries/{entry.pk}/withdraw/")

    assert (response.status_code, response.json()["code"]) == (400, "closed")
    entry.refresh_from_db()
    assert entry.state == EntryState.SUBMITTED


def test_publication_consent_can_be_given_and_withdrawn_also_after_the_deadline(
    api, initiative, edition
):
    entry = complete_entry(initiative, edition, state=EntryState.SUBMITTED, number=1)
    close(edition)
    url = f"/api/v1/entries/{entry.pk}/publication-consent/"

    given = post(api, url, {"given": True})
    withdrawn = post(api, url, {"given": False})

    assert given.json()["consents"] == ["people", "privacy", "publication"]
    assert withdrawn.json()["consents"] == ["people", "privacy"]
    row = Consent.objects.get(entry=entry, kind=ConsentKind.PUBLICATION)
    assert row.withdrawn_at is not None


@pytest.mark.parametrize("data", [{}, {"given": "misschien"}, {"given": None}])
def test_publication_consent_needs_a_yes_or_no(api, initiative, edition, data):
    entry = complete_entry(initiative, edition)

    response = post(api, f"/api/v1/entries/{entry.pk}/publication-consent/", data)

    assert response.status_code == 400
    assert "given" in response.json()["fields"]
    assert not entry.consents.filter(kind=ConsentKind.PUBLICATION).exists()


# --- Vlog status ---------------------------------------------------------------------------------


def test_vlog_status_without_a_vlog(api, initiative, edition):
    entry = EntryFactory(initiative=initiative, category=edition.categories.first())

    response = api.get(f"/api/v1/entries/{entry.pk}/vlog/")

    assert response.json() == {"current": None, "pending": None}


def test_vlog_status_shows_the_ready_vlog_with_urls_and_the_pending_one(
    api, initiative, edition, entrant
):
    current = ready_vlog(entrant, poster=True)
    pending = MediaAsset.objects.create(
        owner=entrant, original_key="originals/nieuw", state="processing", progress=40
    )
    entry = EntryFactory(
        initiative=initiative,
        category=edition.categories.first(),
        vlog=current,
        pending_vlog=pending,
    )

    body = api.get(f"/api/v1/entries/{entry.pk}/vlog/", HTTP_ACCEPT_LANGUAGE="en").json()

    now = body["current"]
    assert (now["uid"], now["state"], now["final"], now["duration"]) == (
        str(current.uid),
        "ready",
        True,
        "61.500",
    )
    assert now["renditions"] == ["poster", "preview"]
    assert f"renditions/{current.uid}/preview" in now["preview_url"]
    assert "X-Amz-Signature=" in now["preview_url"]
    assert f"renditions/{current.uid}/poster" in now["poster_url"]
    new = body["pending"]
    assert (new["state"], new["state_label"], new["progress"], new["final"]) == (
        "processing",
        "Converting",
        40,
        False,
    )
    assert (new["preview_url"], new["renditions"]) == (None, [])


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (None, "De video heeft te veel beelden per seconde. Het maximum is 120 beelden"),
        ("en", "The frame rate is too high. The maximum is 120 frames per second."),
    ],
)
def test_rejection_reason_in_the_request_language(api, initiative, edition, language, message):
    asset = MediaAsset.objects.create(
        owner=initiative.owner,
        original_key="originals/snel",
        state="rejected",
        error_code="too_many_fps",
        error_message="(stored text)",
    )
    entry = EntryFactory(
        initiative=initiative, category=edition.categories.first(), pending_vlog=asset
    )
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}

    body = api.get(f"/api/v1/entries/{entry.pk}/vlog/", **headers).json()

    assert body["current"] is None
    assert body["pending"]["error_code"] == "too_many_fps"
    assert body["pending"]["error_message"].startswith(message)


# --- Tokens --------------------------------------------------------------------------------------


def _token(user, scope) -> str:
    return tokens.create_token(
        user=user, name="Script", scope=scope, expires_at=timezone.now() + dt.timedelta(days=7)
    )[1]


def test_read_only_token_lists_but_cannot_act(client, others_entry):
    raw = _token(OrganiserFactory(), ApiToken.Scope.READ)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    listed = client.get("/api/v1/entries/", **auth)
    acted = post(client, f"/api/v1/entries/{others_entry.pk}/withdraw/", **auth)

    assert _ids(listed) == [others_entry.pk]
    assert (acted.status_code, acted.json()["code"]) == (403, "token_read_only")


def test_write_token_needs_no_csrf_but_the_session_does(edition):
    organiser = OrganiserFactory()
    raw = _token(organiser, ApiToken.Scope.READ_WRITE)
    strict = Client(enforce_csrf_checks=True)

    with_token = put(strict, "/api/v1/initiative/", INITIATIVE, HTTP_AUTHORIZATION=f"Bearer {raw}")
    strict.force_login(UserFactory())
    with_session = put(strict, "/api/v1/initiative/", INITIATIVE)

    assert with_token.status_code == 201
    assert (with_session.status_code, with_session.json()["code"]) == (403, "permission_denied")
    assert [i.owner for i in Initiative.objects.all()] == [organiser]


# --- Query counts --------------------------------------------------------------------------------


def _entries_for(user, count: int) -> None:
    initiative = InitiativeFactory(owner=user)
    for _ in range(count):
        edition = EditionFactory()
        entry = EntryFactory(
            initiative=initiative,
            category=CategoryFactory(edition=edition),
            vlog=ready_vlog(user, poster=True),
        )
        for kind in ALL_CONSENTS:
            Consent.objects.create(
                entry=entry, kind=kind, wording=current_wording(entry.edition, kind), given_by=user
            )


@pytest.mark.parametrize("count", [1, 3])
def test_entrant_list_query_count_does_not_grow(client, count, django_assert_num_queries):
    entrant = UserFactory()
    _entries_for(entrant, count)
    _entries_for(UserFactory(), 2)  # could leak
    client.force_login(entrant)
    client.get("/api/v1/me/")  # session and user loaded once outside the count

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/entries/")

    assert response.json()["count"] == count
    # session, user, the second-step rule (a jury that asks for it?), count, entries,
    # consents, the editions' texts, renditions
    assert len(queries) == 8, [q["sql"] for q in queries]
    with django_assert_num_queries(8):
        client.get("/api/v1/entries/")


@pytest.mark.parametrize("count", [1, 3])
def test_organiser_list_query_count_does_not_grow(client, count, django_assert_num_queries):
    _entries_for(UserFactory(), count)
    raw = _token(OrganiserFactory(), ApiToken.Scope.READ)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/entries/", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.json()["count"] == count
    # token+user, last used, count, entries, consents, the editions' texts, renditions
    assert len(queries) == 7, [q["sql"] for q in queries]
    with django_assert_num_queries(6):  # last_used_at is written at most once a minute
        client.get("/api/v1/entries/", HTTP_AUTHORIZATION=f"Bearer {raw}")


# --- The walkthrough in docs/api.md, run as it is written ----------------------------------------

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def _docs_block(heading: str, language: str) -> str:
    """The first ``language`` code block after ``heading`` in docs/api.md."""
    text = DOCS.read_text()
    after = text[text.index(heading) :]
    return re.search(rf"```{language}\n(.*?)```", after, re.S).group(1)


@pytest.fixture
def walkthrough(transactional_db, live_server, s3_server, celery_worker, tmp_path):
    from media_pipeline.clips import generate_clip

    edition = EditionFactory(slug="nvp-2021")
    CategoryFactory(edition=edition, slug="lokaal")
    UserFactory(email="anna@example.org", email_verified_at=timezone.now())
    generate_clip(tmp_path / "vlog.mp4", seconds=2)
    return live_server.url, tmp_path


def _submitted_entry() -> Entry:
    entry = Entry.objects.select_related("vlog", "initiative__owner").get()
    assert (entry.state, entry.number, entry.title) == ("submitted", 1, "Koffie bij Anna")
    assert entry.vlog.state == "ready"
    assert entry.initiative.owner.email == "anna@example.org"
    assert entry.initiative.province == "Overijssel"
    return entry


@pytest.mark.storage
@pytest.mark.media
@pytest.mark.worker
def test_walkthrough_with_python_requests(walkthrough, monkeypatch, capsys):
    host, folder = walkthrough
    code = _docs_block("### With Python", "python")
    code = code.replace('HOST = "http://127.0.0.1:8000"', f"HOST = {host!r}")
    monkeypatch.setenv("PASSWORD", PASSWORD)
    monkeypatch.chdir(folder)

    exec(compile(code, "docs/api.md (Python walkthrough)", "exec"), {"__name__": "walkthrough"})

    assert "Ingediend met nummer 1" in capsys.readouterr().out
    _submitted_entry()


@pytest.mark.storage
@pytest.mark.media
@pytest.mark.worker
def test_walkthrough_with_curl(walkthrough):
    host, folder = walkthrough
    script = _docs_block("### With curl", "sh").replace(
        "HOST=http://127.0.0.1:8000", f"HOST={host}"
    )

    result = subprocess.run(
        ["bash", "-c", script],
        cwd=folder,
        env={**os.environ, "PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert result.returncode == 0, result.stderr
    assert '"state":"submitted"' in result.stdout.replace(" ", ""), result.stdout[-2000:]
    _submitted_entry()
