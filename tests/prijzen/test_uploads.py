"""The entry's vlog upload through the API, against the real S3 server: multipart with
presigned parts, resume, completion checks, and every bad input."""

from datetime import timedelta

import pytest
import requests
from django.test import Client
from django.utils import timezone

from media_pipeline import storage
from media_pipeline.clips import generate_clip
from media_pipeline.enums import AssetState
from media_pipeline.models import MediaAsset
from media_pipeline.processing import process_asset
from media_pipeline.uploads import MiB
from tests.factories import EntryFactory, InitiativeFactory, UserFactory

pytestmark = [pytest.mark.storage, pytest.mark.django_db]


@pytest.fixture
def entrant():
    return UserFactory(email_verified_at=timezone.now())


@pytest.fixture
def entry(entrant):
    return EntryFactory(initiative=InitiativeFactory(owner=entrant))


@pytest.fixture
def api(entrant):
    client = Client()
    client.force_login(entrant)
    return client


@pytest.fixture
def big_clip(tmp_path):
    """A real video of a little over one 8 MiB part, so the upload has two parts."""
    clip = generate_clip(
        tmp_path / "vlog.mp4",
        seconds=6,
        width=1280,
        height=720,
        extra_output_args=("-b:v", "20M", "-minrate", "20M", "-maxrate", "20M", "-bufsize", "4M"),
    )
    assert 8 * MiB < clip.stat().st_size < 16 * MiB
    return clip


def _start(api, entry, *, filename="vlog.mp4", size, content_type="video/mp4"):
    return api.post(
        f"/api/v1/entries/{entry.pk}/vlog-uploads/",
        {"filename": filename, "size": size, "content_type": content_type},
        content_type="application/json",
    )


def _base(entry, uid) -> str:
    return f"/api/v1/entries/{entry.pk}/vlog-uploads/{uid}/"


def _put_parts(api, entry, uid, data: bytes, part_size: int, numbers) -> None:
    signed = api.post(
        _base(entry, uid) + "sign/",
        {"part_numbers": list(numbers)},
        content_type="application/json",
    ).json()["urls"]
    for number in numbers:
        chunk = data[(number - 1) * part_size : number * part_size]
        response = requests.put(signed[str(number)], data=chunk, timeout=30)
        assert response.status_code == 200, response.text


def _multipart_uploads() -> list[str]:
    listed = storage.s3_client().list_multipart_uploads(Bucket=storage.bucket_name())
    return [u["UploadId"] for u in listed.get("Uploads", [])]


def test_upload_resumes_completes_and_replaces_the_vlog_when_ready(
    api, entry, big_clip, s3_server, django_capture_on_commit_callbacks
):
    data = big_clip.read_bytes()
    started = _start(api, entry, size=len(data))
    assert started.status_code == 201, started.json()
    upload = started.json()
    assert (upload["state"], upload["part_size"], upload["part_count"]) == (
        "awaiting_upload",
        8 * MiB,
        2,
    )
    uid = upload["uid"]

    _put_parts(api, entry, uid, data, 8 * MiB, [2])  # the first part was lost in a drop
    parts = api.get(_base(entry, uid) + "parts/").json()["parts"]
    assert [(p["part_number"], p["size"]) for p in parts] == [(2, len(data) - 8 * MiB)]
    _put_parts(api, entry, uid, data, 8 * MiB, [1])  # resume: only what is missing
    completed = api.post(_base(entry, uid) + "complete/")

    assert completed.json()["state"] == "uploaded"
    asset = MediaAsset.objects.get(uid=uid)
    stored = storage.s3_client().get_object(Bucket=storage.bucket_name(), Key=asset.original_key)
    assert stored["Body"].read() == data
    assert asset.original_key == f"originals/{uid}"  # our key, never the user's file name
    with django_capture_on_commit_callbacks(execute=True):
        process_asset(asset_id=asset.pk)
    entry.refresh_from_db()
    assert (entry.vlog_id, entry.pending_vlog_id) == (asset.pk, None)


@pytest.mark.parametrize(
    ("filename", "size", "content_type", "code", "message"),
    [
        (
            "notities.txt",
            1000,
            "text/plain",
            "wrong_type",
            (
                "Dit bestand is geen video. Upload een bestand in MP4, MOV, 3GP, WebM, MKV, "
                "AVI, MTS, M2TS, TS of MPG."
            ),
        ),
        ("vlog.mp4", 0, "video/mp4", "empty", "Dit bestand is leeg. Kies je vlog opnieuw."),
        (
            "vlog.mp4",
            2 * 1024**3 + 1,
            "video/mp4",
            "too_large",
            "Dit bestand is te groot (2,0 GB). Het maximum is 2,0 GB.",
        ),
    ],
)
def test_bad_files_are_refused_before_the_upload_starts(
    api, entry, s3_server, filename, size, content_type, code, message
):
    before = _multipart_uploads()
    response = _start(api, entry, filename=filename, size=size, content_type=content_type)

    assert response.status_code == 400
    assert response.json() == {"code": code, "message": message, "fields": {}}
    assert MediaAsset.objects.count() == 0
    assert _multipart_uploads() == before


def test_missing_size_is_a_field_error(api, entry, s3_server):
    response = api.post(
        f"/api/v1/entries/{entry.pk}/vlog-uploads/",
        {"filename": "vlog.mp4"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"] == {"size": ["Dit veld is vereist."]}


def test_someone_elses_entry_and_upload_are_404(api, entry, s3_server):
    other_entry = EntryFactory()
    assert _start(api, other_entry, size=1000).status_code == 404

    other = Client()
    other.force_login(other_entry.initiative.owner)
    uid = _start(other, other_entry, size=1000).json()["uid"]
    assert api.get(_base(other_entry, uid)).status_code == 404
    assert api.get(_base(entry, uid)).status_code == 404
    assert api.post(_base(other_entry, uid) + "complete/").status_code == 404


def test_complete_with_a_missing_part_changes_nothing(api, entry, big_clip, s3_server):
    data = big_clip.read_bytes()
    uid = _start(api, entry, size=len(data)).json()["uid"]
    _put_parts(api, entry, uid, data, 8 * MiB, [1])

    response = api.post(_base(entry, uid) + "complete/")

    assert response.status_code == 400
    assert response.json()["code"] == "incomplete"
    assert MediaAsset.objects.get(uid=uid).state == AssetState.AWAITING_UPLOAD


def test_a_file_that_is_not_a_video_is_rejected_on_completion(api, entry, s3_server):
    data = b"Dit is een tekstbestand met een videonaam. " * 30
    uid = _start(api, entry, size=len(data)).json()["uid"]
    _put_parts(api, entry, uid, data, 8 * MiB, [1])

    response = api.post(_base(entry, uid) + "complete/")

    assert response.json()["state"] == "rejected"
    asset = MediaAsset.objects.get(uid=uid)
    assert (asset.error_code, asset.error_message) == (
        "not_a_video",
        (
            "Dit bestand is geen video. Upload een bestand in MP4, MOV, 3GP, WebM, MKV, "
            "AVI, MTS, M2TS, TS of MPG."
        ),
    )
    listed = storage.s3_client().list_objects_v2(
        Bucket=storage.bucket_name(), Prefix=asset.original_key
    )
    assert listed.get("KeyCount", 0) == 0


def test_part_urls_are_useless_after_completion(api, entry, big_clip, s3_server):
    data = big_clip.read_bytes()
    uid = _start(api, entry, size=len(data)).json()["uid"]
    signed = api.post(
        _base(entry, uid) + "sign/", {"part_numbers": [1, 2]}, content_type="application/json"
    ).json()["urls"]
    for number in (1, 2):
        requests.put(signed[str(number)], data=data[(number - 1) * 8 * MiB : number * 8 * MiB])
    api.post(_base(entry, uid) + "complete/")

    replay = requests.put(signed["1"], data=data[: 8 * MiB], timeout=10)  # the signed size
    sign_again = api.post(
        _base(entry, uid) + "sign/", {"part_numbers": [1]}, content_type="application/json"
    )

    assert replay.status_code == 404  # NoSuchUpload
    assert sign_again.status_code == 400
    assert sign_again.json()["code"] == "upload_closed"


@pytest.mark.parametrize("numbers", [[0], [3], list(range(1, 102))])
def test_signing_parts_outside_the_upload_is_refused(api, entry, s3_server, numbers):
    uid = _start(api, entry, size=9 * MiB).json()["uid"]

    response = api.post(
        _base(entry, uid) + "sign/", {"part_numbers": numbers}, content_type="application/json"
    )

    assert response.status_code == 400


def test_cancel_aborts_the_multipart_upload(api, entry, s3_server):
    uid = _start(api, entry, size=1000).json()["uid"]
    upload_id = MediaAsset.objects.get(uid=uid).multipart_upload_id
    assert upload_id in _multipart_uploads()

    response = api.delete(_base(entry, uid))

    assert response.json()["state"] == "cancelled"
    assert upload_id not in _multipart_uploads()


def test_no_upload_after_the_deadline(api, entry, s3_server):
    entry.edition.entries_close_at = timezone.now() - timedelta(minutes=1)
    entry.edition.save()

    response = _start(api, entry, size=1000)

    assert response.status_code == 400
    assert response.json()["code"] == "closed"
    assert response.json()["message"].startswith("De deadline is voorbij (")


@pytest.mark.parametrize(("minutes_late", "allowed"), [(30, True), (90, False)])
def test_upload_started_before_the_deadline_may_finish_in_the_grace_period(
    api, entry, big_clip, s3_server, minutes_late, allowed
):
    data = big_clip.read_bytes()
    uid = _start(api, entry, size=len(data)).json()["uid"]
    _put_parts(api, entry, uid, data, 8 * MiB, [1, 2])
    edition = entry.edition
    edition.entries_close_at = timezone.now() - timedelta(minutes=minutes_late)
    edition.entries_open_at = edition.entries_close_at - timedelta(days=30)
    edition.save()
    MediaAsset.objects.filter(uid=uid).update(
        created_at=edition.entries_close_at - timedelta(minutes=5)
    )

    response = api.post(_base(entry, uid) + "complete/")

    assert (response.status_code == 200) is allowed
    expected = AssetState.UPLOADED if allowed else AssetState.AWAITING_UPLOAD
    assert MediaAsset.objects.get(uid=uid).state == expected


def test_csrf_is_required_for_session_clients(entrant, entry, s3_server):
    client = Client(enforce_csrf_checks=True)
    client.force_login(entrant)

    response = _start(client, entry, size=1000)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert MediaAsset.objects.count() == 0


def test_completing_twice_is_harmless(api, entry, big_clip, s3_server):
    data = big_clip.read_bytes()
    uid = _start(api, entry, size=len(data)).json()["uid"]
    _put_parts(api, entry, uid, data, 8 * MiB, [1, 2])

    first = api.post(_base(entry, uid) + "complete/")
    second = api.post(_base(entry, uid) + "complete/")

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["state"] == second.json()["state"] == "uploaded"


def test_a_new_upload_cancels_the_unfinished_one(api, entry, s3_server):
    old = _start(api, entry, size=1000).json()["uid"]
    old_id = MediaAsset.objects.get(uid=old).multipart_upload_id

    _start(api, entry, size=2000)

    assert MediaAsset.objects.get(uid=old).state == AssetState.CANCELLED
    assert old_id not in _multipart_uploads()


def test_storage_trouble_is_a_503_the_browser_retries(api, entry, s3_server, settings):
    from django.test.utils import override_settings

    uid = _start(api, entry, size=1000).json()["uid"]
    down = storage.settings_for_server(
        endpoint_url="http://127.0.0.1:9", access_key="x", secret_key="y", bucket="z"
    )
    with override_settings(**down):
        response = api.get(_base(entry, uid) + "parts/")

    assert response.status_code == 503
    assert response.json() == {
        "code": "storage_unavailable",
        "message": "De opslag is even niet bereikbaar. Probeer het zo opnieuw.",
        "fields": {},
    }
