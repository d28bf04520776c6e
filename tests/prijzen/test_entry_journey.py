"""The entrant's pages: initiative profile, starting, autosaving, submitting, withdrawing."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from common.models import AuditLog
from prijzen.enums import ConsentKind, EntryState
from prijzen.models import Consent, Entry, Initiative
from prijzen.wordings import current_wording
from tests.factories import (
    CategoryFactory,
    EditionFactory,
    EntryFactory,
    InitiativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def entrant(client):
    user = UserFactory(email_verified_at=timezone.now())
    client.force_login(user)
    return user


INITIATIVE = {
    "name": "Buurtkamer De Linde",
    "municipality": "Zwijndrecht",
    "contact_name": "Ingrid de Vries",
    "phone": "078 123 4567",
    "website": "www.delinde.nl",
    "description": "Koffie, taal en klussen in de wijk.",
}


def test_initiative_profile_takes_the_province_from_the_municipality(client, entrant):
    response = client.post("/initiatief/", INITIATIVE)

    assert response["Location"] == "/inzendingen/"
    initiative = Initiative.objects.get()
    assert (initiative.owner, initiative.municipality, initiative.province, initiative.website) == (
        entrant,
        "Zwijndrecht",
        "Zuid-Holland",
        "https://www.delinde.nl",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"municipality": "Atlantis"}, "Kies je gemeente uit de lijst."),
        ({"name": ""}, "Vul de naam van je initiatief in."),
        (
            {"website": "geen adres met spaties"},
            "Vul een webadres in, bijvoorbeeld www.example.nl.",
        ),
        (
            {"description": "x" * 1001},
            "Zorg dat deze waarde niet meer dan 1000 tekens bevat (het zijn er nu 1001).",
        ),
    ],
)
def test_initiative_bad_input_is_explained_and_nothing_saved(client, entrant, change, message):
    response = client.post("/initiatief/", {**INITIATIVE, **change})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Initiative.objects.count() == 0


def test_taking_part_asks_for_the_initiative_first_then_opens_the_entry(client, entrant):
    edition = CategoryFactory().edition

    response = client.post(f"/meedoen/{edition.slug}/")
    assert response["Location"] == f"/initiatief/?meedoen={edition.slug}"
    assert Entry.objects.count() == 0

    saved = client.post(response["Location"], INITIATIVE)

    entry = Entry.objects.get()
    assert saved["Location"] == f"/inzendingen/{entry.pk}/bewerken/"  # no second "Doe mee"
    assert entry.initiative.owner == entrant


def test_taking_part_makes_one_draft_per_initiative(client, entrant):
    category = CategoryFactory()
    InitiativeFactory(owner=entrant)

    first = client.post(f"/meedoen/{category.edition.slug}/")
    second = client.post(f"/meedoen/{category.edition.slug}/", follow=True)

    entry = Entry.objects.get()
    assert first["Location"] == f"/inzendingen/{entry.pk}/bewerken/"
    assert (entry.state, entry.category) == (EntryState.DRAFT, category)
    assert "Jullie initiatief doet al mee aan deze editie." in second.content.decode()


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [(2, 30, "Meedoen kan nog niet."), (-30, -1, "De deadline is voorbij")],
)
def test_taking_part_outside_the_window_is_refused(client, entrant, opens, closes, message):
    now = timezone.now()
    edition = EditionFactory(
        entries_open_at=now + timedelta(days=opens), entries_close_at=now + timedelta(days=closes)
    )
    CategoryFactory(edition=edition)
    InitiativeFactory(owner=entrant)

    response = client.post(f"/meedoen/{edition.slug}/", follow=True)

    assert message in response.content.decode()
    assert Entry.objects.count() == 0


def _form(entry, **fields):
    data = {"category": entry.category_id, "title": "", "summary": "", "answer": ""}
    data.update(fields)
    return data


def test_autosave_stores_texts_and_consents_with_their_version(client, entrant):
    entry = EntryFactory(initiative=InitiativeFactory(owner=entrant), title="")
    data = _form(entry, title="Koffie en een warm welkom", consents=["privacy", "publication"])

    response = client.post(f"/inzendingen/{entry.pk}/bewerken/", data, HTTP_X_AUTOSAVE="1")

    assert response.status_code == 200
    assert response.json()["saved"] is True
    entry.refresh_from_db()
    assert (entry.title, entry.state) == ("Koffie en een warm welkom", EntryState.DRAFT)
    consents = Consent.objects.filter(entry=entry).order_by("kind")
    assert [(c.kind, c.wording.version, c.withdrawn_at) for c in consents] == [
        ("privacy", 1, None),
        ("publication", 1, None),
    ]

    client.post(
        f"/inzendingen/{entry.pk}/bewerken/",
        _form(entry, consents=["privacy"]),
        HTTP_X_AUTOSAVE="1",
    )

    publication = Consent.objects.get(entry=entry, kind=ConsentKind.PUBLICATION)
    assert publication.withdrawn_at is not None
    assert AuditLog.objects.filter(action="consent_withdrawn").count() == 1


def test_too_long_title_is_not_saved(client, entrant):
    entry = EntryFactory(initiative=InitiativeFactory(owner=entrant), title="Oud")

    response = client.post(
        f"/inzendingen/{entry.pk}/bewerken/", _form(entry, title="x" * 121), HTTP_X_AUTOSAVE="1"
    )

    assert response.status_code == 400
    body = response.json()  # the API's error shape, as on the scoring page
    assert (body["saved"], body["code"], list(body["fields"])) == (False, "invalid", ["title"])
    problem = "Zorg dat deze waarde niet meer dan 120 tekens bevat (het zijn er nu 121)."
    assert body["fields"]["title"] == [problem]
    assert body["message"] == f"Niet opgeslagen. Titel van je vlog: {problem}"
    entry.refresh_from_db()
    assert entry.title == "Oud"


def test_submitting_an_incomplete_entry_lists_what_is_missing(client, entrant):
    entry = EntryFactory(initiative=InitiativeFactory(owner=entrant), title="")

    response = client.post(
        f"/inzendingen/{entry.pk}/bewerken/", _form(entry, title="Titel", submit="1"), follow=True
    )

    entry.refresh_from_db()
    assert entry.state == EntryState.DRAFT
    page = response.content.decode()
    assert "een korte beschrijving" in page
    assert "een vlog die klaar is" in page
    assert "akkoord met de privacyverklaring" in page


def test_someone_elses_entry_cannot_be_edited(client, entrant):
    entry = EntryFactory(title="Van een ander")

    assert client.get(f"/inzendingen/{entry.pk}/bewerken/").status_code == 404
    assert (
        client.post(f"/inzendingen/{entry.pk}/bewerken/", _form(entry, title="x")).status_code
        == 404
    )
    assert client.post(f"/inzendingen/{entry.pk}/intrekken/").status_code == 404
    entry.refresh_from_db()
    assert entry.title == "Van een ander"


def test_after_the_deadline_everything_is_read_only(client, entrant):
    entry = EntryFactory(initiative=InitiativeFactory(owner=entrant), title="Vast")
    entry.edition.entries_open_at = timezone.now() - timedelta(days=60)
    entry.edition.entries_close_at = timezone.now() - timedelta(days=1)
    entry.edition.save()

    page = client.get(f"/inzendingen/{entry.pk}/bewerken/")
    change = client.post(
        f"/inzendingen/{entry.pk}/bewerken/", _form(entry, title="Nieuw"), follow=True
    )

    assert page["Location"] == f"/inzendingen/{entry.pk}/"
    assert "De deadline is voorbij" in change.content.decode()
    entry.refresh_from_db()
    assert entry.title == "Vast"


@pytest.mark.storage
@pytest.mark.media
def test_complete_entry_is_submitted_numbered_and_receipted(
    client, entrant, stored_asset, tmp_path, django_capture_on_commit_callbacks
):
    from media_pipeline.clips import generate_clip
    from media_pipeline.processing import process_asset

    vlog = process_asset(asset_id=stored_asset(generate_clip(tmp_path / "v.mp4", seconds=2)).pk)
    entry = EntryFactory(initiative=InitiativeFactory(owner=entrant), vlog=vlog)
    data = _form(
        entry,
        title="Koffie",
        summary="Een warm welkom.",
        answer="Een maatje.",
        consents=["privacy", "people"],
        submit="1",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/inzendingen/{entry.pk}/bewerken/", data)

    entry.refresh_from_db()
    assert (entry.state, entry.number) == (EntryState.SUBMITTED, 1)
    assert response["Location"] == f"/inzendingen/{entry.pk}/"
    [receipt] = mail.outbox
    assert receipt.to == [entrant.email]
    assert receipt.subject == f"Ontvangstbevestiging: inzending 1 voor {entry.edition.name}"
    assert "Inzendingsnummer: 1" in receipt.body
    assert [(name, kind) for name, _data, kind in receipt.attachments] == [
        ("poster.jpg", "image/jpeg")
    ]
    assert receipt.attachments[0][1][:2] == b"\xff\xd8"  # a JPEG


def test_unverified_address_cannot_submit(client):
    user = UserFactory(email_verified_at=None)
    client.force_login(user)
    entry = EntryFactory(initiative=InitiativeFactory(owner=user))

    response = client.post(
        f"/inzendingen/{entry.pk}/bewerken/", _form(entry, submit="1"), follow=True
    )

    assert "Bevestig eerst je e-mailadres." in response.content.decode()
    entry.refresh_from_db()
    assert entry.state == EntryState.DRAFT


def test_withdraw_a_submitted_entry(client, entrant):
    entry = EntryFactory(initiative=InitiativeFactory(owner=entrant), state=EntryState.SUBMITTED)

    unconfirmed = client.post(f"/inzendingen/{entry.pk}/intrekken/", follow=True)
    assert Entry.objects.get(pk=entry.pk).state == EntryState.SUBMITTED
    assert "Vink het vakje aan om te bevestigen." in unconfirmed.content.decode()

    response = client.post(f"/inzendingen/{entry.pk}/intrekken/", {"confirm": "1"}, follow=True)

    entry.refresh_from_db()
    assert entry.state == EntryState.WITHDRAWN
    assert "Je inzending is ingetrokken." in response.content.decode()


@pytest.mark.storage
@pytest.mark.media
@pytest.mark.parametrize(
    ("at", "expected", "message"),
    [
        ("2.5", "2.500", "Het nieuwe plaatje wordt gemaakt. Dat duurt een paar seconden."),
        ("abc", None, "Kies eerst een moment in de video."),
        ("9", None, "Kies een moment in de video (0:00 tot 0:03)."),
    ],
)
def test_entrant_chooses_the_poster_moment(
    client, entrant, stored_asset, tmp_path, at, expected, message
):
    from media_pipeline.clips import generate_clip
    from media_pipeline.processing import process_asset

    vlog = process_asset(asset_id=stored_asset(generate_clip(tmp_path / "v.mp4", seconds=3)).pk)
    entry = EntryFactory(initiative=InitiativeFactory(owner=entrant), vlog=vlog)

    response = client.post(f"/inzendingen/{entry.pk}/plaatje/", {"at": at}, follow=True)

    vlog.refresh_from_db()
    assert (str(vlog.poster_at) if vlog.poster_at is not None else None) == expected
    assert message in response.content.decode()


def test_next_page_after_the_profile_stays_on_this_site(client, entrant):
    response = client.post("/initiatief/?next=/\\kwaadaardig.example/", INITIATIVE)

    assert response["Location"] == "/inzendingen/"


def test_a_submitted_entry_stays_complete(client, entrant):
    entry = EntryFactory(
        initiative=InitiativeFactory(owner=entrant),
        state=EntryState.SUBMITTED,
        title="Koffie",
        summary="Welkom",
        answer="Een maatje",
    )
    for kind in ("privacy", "people"):
        Consent.objects.create(entry=entry, kind=kind, wording=current_wording(entry.edition, kind))

    emptied = client.post(
        f"/inzendingen/{entry.pk}/bewerken/",
        _form(
            entry, title="", summary="Welkom", answer="Een maatje", consents=["privacy", "people"]
        ),
        HTTP_X_AUTOSAVE="1",
    )
    unticked = client.post(
        f"/inzendingen/{entry.pk}/bewerken/",
        _form(entry, title="Koffie", summary="Welkom", answer="Een maatje", consents=["privacy"]),
        HTTP_X_AUTOSAVE="1",
    )

    assert emptied.status_code == unticked.status_code == 400
    assert emptied.json()["message"].startswith("Een ingestuurde inzending moet compleet blijven.")
    entry.refresh_from_db()
    assert entry.title == "Koffie"
    assert Consent.objects.filter(entry=entry, withdrawn_at__isnull=True).count() == 2


def test_publication_consent_can_be_withdrawn_after_the_deadline(client, entrant):
    entry = EntryFactory(initiative=InitiativeFactory(owner=entrant), state=EntryState.SUBMITTED)
    Consent.objects.create(
        entry=entry, kind="publication", wording=current_wording(entry.edition, "publication")
    )
    entry.edition.entries_open_at = timezone.now() - timedelta(days=90)
    entry.edition.entries_close_at = timezone.now() - timedelta(days=30)
    entry.edition.save()

    response = client.post(
        f"/inzendingen/{entry.pk}/publicatie/", {"publication": "0"}, follow=True
    )

    assert "Je vlog komt niet in de openbare galerij." in response.content.decode()
    assert Consent.objects.get().withdrawn_at is not None


def test_a_withdrawn_entry_can_take_part_again(client, entrant):
    entry = EntryFactory(initiative=InitiativeFactory(owner=entrant), state=EntryState.WITHDRAWN)

    unconfirmed = client.post(f"/inzendingen/{entry.pk}/opnieuw/")
    assert unconfirmed["Location"] == f"/inzendingen/{entry.pk}/"
    assert Entry.objects.get(pk=entry.pk).state == EntryState.WITHDRAWN

    response = client.post(f"/inzendingen/{entry.pk}/opnieuw/", {"confirm": "1"})

    assert response["Location"] == f"/inzendingen/{entry.pk}/bewerken/"
    entry.refresh_from_db()
    assert entry.state == EntryState.DRAFT


def test_an_edition_without_categories_gets_a_clear_message(client, entrant):
    edition = EditionFactory()
    InitiativeFactory(owner=entrant)

    response = client.post(f"/meedoen/{edition.slug}/", follow=True)

    assert "Deze editie heeft nog geen categorieën." in response.content.decode()
    assert Entry.objects.count() == 0


def test_ready_pending_vlogs_are_promoted_by_the_safety_net(entrant):
    from media_pipeline.models import MediaAsset
    from prijzen import services

    asset = MediaAsset.objects.create(owner=entrant, original_key="originals/klaar", state="ready")
    entry = EntryFactory(initiative=InitiativeFactory(owner=entrant), pending_vlog=asset)

    assert services.promote_ready_vlogs() == 1
    entry.refresh_from_db()
    assert (entry.vlog, entry.pending_vlog) == (asset, None)


def test_a_visitor_finds_how_to_take_part_on_the_home_and_edition_pages(client):
    from tests.factories import EditionFactory

    now = timezone.now()
    edition = EditionFactory(
        entries_open_at=now - timedelta(days=1), entries_close_at=now + timedelta(days=30)
    )

    home = client.get("/").content.decode()
    page = client.get(f"/edities/{edition.slug}/").content.decode()
    follow = client.get("/inzendingen/")

    for html in (home, page):
        assert '<a class="button" href="/inzendingen/">Doe mee: meld je aan</a>' in html
        assert "Meedoen kan tot" in html
    assert follow["Location"] == "/aanmelden/?next=/inzendingen/"
