from datetime import timedelta

import pytest
import requests
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from media_pipeline.enums import AssetState
from media_pipeline.models import MediaAsset
from tests.factories import PASSWORD, EntryFactory, InitiativeFactory, OrganiserFactory, UserFactory


@pytest.fixture
def two_entrants():
    a, b = UserFactory(), UserFactory()
    entry_a = EntryFactory(initiative=InitiativeFactory(owner=a), title="Koffie bij Anna")
    entry_b = EntryFactory(initiative=InitiativeFactory(owner=b), title="Thee bij Bram")
    return a, b, entry_a, entry_b


def _titles(response) -> list[str]:
    return [entry.title for entry in response.context["entries"]]


@pytest.mark.django_db
def test_entrant_sees_only_own_entries(client, two_entrants):
    a, _b, _entry_a, _entry_b = two_entrants
    client.force_login(a)

    response = client.get("/inzendingen/")

    assert response.status_code == 200
    assert _titles(response) == ["Koffie bij Anna"]
    assert "Thee bij Bram" not in response.content.decode()


@pytest.mark.django_db
def test_organiser_sees_every_entry(client, two_entrants):
    client.force_login(OrganiserFactory())

    response = client.get("/inzendingen/")

    assert sorted(_titles(response)) == ["Koffie bij Anna", "Thee bij Bram"]


@pytest.mark.django_db
def test_juror_sees_no_entries_before_assignment(client, two_entrants):
    client.force_login(UserFactory(role="juror"))

    response = client.get("/inzendingen/")

    assert _titles(response) == []
    assert "Er zijn nog geen inzendingen." in response.content.decode()


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, two_entrants):
    response = client.get("/inzendingen/")

    assert response.status_code == 302
    assert response["Location"] == "/aanmelden/?next=/inzendingen/"


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["", "vlog-status/"])
def test_someone_elses_entry_is_404(client, two_entrants, suffix):
    a, _b, _entry_a, entry_b = two_entrants
    client.force_login(a)

    response = client.get(f"/inzendingen/{entry_b.pk}/{suffix}")

    assert response.status_code == 404


@pytest.mark.django_db
def test_vlog_status_reports_state_progress_and_dutch_label(client, two_entrants):
    a, _b, entry_a, _entry_b = two_entrants
    entry_a.vlog = MediaAsset.objects.create(
        owner=a, original_key="originals/x", state=AssetState.PROCESSING, progress=42
    )
    entry_a.save()
    client.force_login(a)

    response = client.get(f"/inzendingen/{entry_a.pk}/vlog-status/")

    body = response.json()  # the API's vlog status (one presenter)
    assert body == {
        "uid": str(entry_a.vlog.uid),
        "state": "processing",
        "state_label": "Wordt omgezet",
        "final": False,
        "progress": 42,
        "error_code": "",
        "error_message": "",
        "duration": None,
        "width": None,
        "height": None,
        "renditions": [],
        "preview_url": None,
        "poster_url": None,
    }
    api = client.get(f"/api/v1/entries/{entry_a.pk}/vlog/").json()
    assert api["current"] == body


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 100])
def test_entry_list_query_count_does_not_grow(client, count):
    organiser = OrganiserFactory()
    for _ in range(count):
        entry = EntryFactory()
        entry.vlog = MediaAsset.objects.create(
            owner=entry.initiative.owner, original_key=f"originals/{entry.pk}"
        )
        entry.save()
    client.force_login(organiser)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/inzendingen/")

    assert len(response.context["entries"]) == count
    # session + user + second-step device + entries (with joins) + vlog renditions prefetch
    assert len(queries) == 5, [q["sql"] for q in queries]


@pytest.mark.django_db
def test_sign_in_with_email_and_password(client):
    user = UserFactory(email="inzender@example.org")

    response = client.post("/inloggen/", {"username": "Inzender@Example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_sign_in_with_wrong_password_shows_dutch_error(client):
    UserFactory(email="inzender@example.org")

    response = client.post("/inloggen/", {"username": "inzender@example.org", "password": "fout"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert (
        "Het e-mailadres of het wachtwoord klopt niet. Probeer het opnieuw."
        in response.content.decode()
    )


@pytest.mark.django_db
def test_sign_out_needs_post_and_ends_the_session(client):
    client.force_login(UserFactory())

    assert client.get("/uitloggen/").status_code == 405
    response = client.post("/uitloggen/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session


@pytest.fixture
def entry_with_ready_vlog(stored_asset, tmp_path):
    from media_pipeline.clips import generate_clip
    from media_pipeline.processing import process_asset

    clip = generate_clip(tmp_path / "Mijn vlog.mp4", seconds=5, width=320, height=240)
    asset = process_asset(asset_id=stored_asset(clip).pk)
    return EntryFactory(initiative=InitiativeFactory(owner=asset.owner), vlog=asset)


@pytest.mark.storage
@pytest.mark.media
@pytest.mark.django_db
def test_storyboard_index_is_webvtt_with_a_signed_sprite(client, entry_with_ready_vlog, settings):
    client.force_login(entry_with_ready_vlog.initiative.owner)

    response = client.get(f"/inzendingen/{entry_with_ready_vlog.pk}/storyboard.vtt")

    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[:3] == ["WEBVTT", "", "00:00:00.000 --> 00:00:02.000"]
    sprite = f"{settings.S3_PUBLIC_ENDPOINT_URL}/{settings.S3_BUCKET}/renditions/"
    assert lines[3].startswith(sprite)
    assert lines[3].endswith("#xywh=0,0,160,120")
    assert requests.get(lines[3].split("#")[0], timeout=10).status_code == 200


@pytest.mark.storage
@pytest.mark.media
@pytest.mark.django_db
def test_only_organisers_download_the_original_as_attachment(client, entry_with_ready_vlog):
    url = f"/inzendingen/{entry_with_ready_vlog.pk}/origineel/"
    client.force_login(entry_with_ready_vlog.initiative.owner)
    assert client.get(url).status_code == 404

    client.force_login(OrganiserFactory())
    response = client.get(url)

    assert response.status_code == 302
    download = requests.get(response["Location"], timeout=10)
    assert download.status_code == 200
    name = f"vlog-{entry_with_ready_vlog.vlog.uid}"  # an entry without a number yet
    assert download.headers["Content-Disposition"] == f'attachment; filename="{name}.mp4"'
    assert download.headers["Content-Type"] == "video/mp4"
    assert download.content[4:8] == b"ftyp"


@pytest.mark.django_db
def test_status_shows_in_review_while_a_round_is_open(client, two_entrants):
    from jury.models import Assignment
    from tests.factories import RoundFactory

    a, _b, entry_a, _entry_b = two_entrants
    entry_a.state = "submitted"
    entry_a.save()
    round_ = RoundFactory(edition=entry_a.edition, state="open")
    Assignment.objects.create(round=round_, entry=entry_a, user=UserFactory(role="juror"))
    client.force_login(a)

    page = client.get("/inzendingen/").content.decode()

    assert "In beoordeling" in page


@pytest.mark.parametrize(
    ("state", "window", "change", "take_back"),
    [
        ("draft", "open", True, False),
        ("submitted", "open", True, False),
        ("withdrawn", "open", False, True),
        ("submitted", "closed", False, False),
        ("withdrawn", "closed", False, False),
    ],
)
def test_the_entry_page_offers_what_the_entrant_may_do(
    db, client, state, window, change, take_back
):
    """The page asks the one rule (prijzen.services.may_edit / may_reopen), as the services
    that refuse do; the organiser, who may read every entry, is offered neither."""
    entry = EntryFactory(state=state)
    if window == "closed":
        edition = entry.edition
        edition.entries_close_at = timezone.now() - timedelta(hours=1)
        edition.entries_open_at = edition.entries_close_at - timedelta(days=30)
        edition.save()
    client.force_login(entry.initiative.owner)

    page = client.get(f"/inzendingen/{entry.pk}/").content.decode()

    assert ("Inzending aanpassen" in page, 'name="confirm"' in page) == (change, take_back)
    client.force_login(OrganiserFactory())
    as_organiser = client.get(f"/inzendingen/{entry.pk}/").content.decode()
    assert ("Inzending aanpassen" in as_organiser, 'name="confirm"' in as_organiser) == (
        False,
        False,
    )
