"""Finding F14: the organiser's download of an original kept the entrant's file name and
extension, so an upload named evil.hta or page.html arrived on the organiser's machine as
something it would run or open in a browser. The download is now named from the entry number
and the container sniffed from the stored bytes, served as video; and an upload must have a
video extension and a video (or unknown) browser type before it starts."""

from __future__ import annotations

import shutil

import pytest
import requests
from django.test import Client
from django.utils import timezone

from media_pipeline.clips import generate_clip
from media_pipeline.models import MediaAsset
from tests.factories import EntryFactory, InitiativeFactory, OrganiserFactory, UserFactory

pytestmark = [pytest.mark.storage, pytest.mark.media, pytest.mark.django_db]

NOT_A_VIDEO = (
    "Dit bestand is geen video. Upload een bestand in MP4, MOV, 3GP, WebM, MKV, "
    "AVI, MTS, M2TS, TS of MPG."
)


def _download(entry) -> requests.Response:
    organiser = Client()
    organiser.force_login(OrganiserFactory())
    response = organiser.get(f"/inzendingen/{entry.pk}/origineel/")
    assert response.status_code == 302
    download = requests.get(response["Location"], timeout=10)
    assert download.status_code == 200
    return download


@pytest.mark.parametrize(
    ("name", "encoder_args", "expected", "content_type"),
    [
        ("evil.hta", ("-f", "mp4"), "inzending-12.mp4", "video/mp4"),
        ("page.html", ("-f", "matroska"), "inzending-12.mkv", "video/x-matroska"),
    ],
)
def test_download_is_named_from_the_entry_and_served_as_video(
    stored_asset, tmp_path, name, encoder_args, expected, content_type
):
    clip = generate_clip(
        tmp_path / "clip.mkv", seconds=1, width=160, height=120, extra_output_args=encoder_args
    )
    uploaded = tmp_path / name
    shutil.copy(clip, uploaded)
    asset = stored_asset(uploaded)
    assert asset.original_filename == name
    entry = EntryFactory(initiative=InitiativeFactory(owner=asset.owner), vlog=asset, number=12)

    download = _download(entry)

    assert download.headers["Content-Disposition"] == f'attachment; filename="{expected}"'
    assert download.headers["Content-Type"] == content_type
    assert download.content == clip.read_bytes()


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("x.html", "text/html"),
        ("x.html", "video/mp4"),  # a lying browser type does not make .html a video
        ("x.hta", ""),
        ("vlog.mp4", "text/html"),  # nor does a video name make an HTML type a video
        ("vlog", "video/mp4"),
    ],
)
def test_upload_without_a_video_name_and_type_is_refused(s3_server, filename, content_type):
    entrant = UserFactory(email_verified_at=timezone.now())
    entry = EntryFactory(initiative=InitiativeFactory(owner=entrant))
    api = Client()
    api.force_login(entrant)

    response = api.post(
        f"/api/v1/entries/{entry.pk}/vlog-uploads/",
        {"filename": filename, "size": 1000, "content_type": content_type},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"code": "wrong_type", "message": NOT_A_VIDEO, "fields": {}}
    assert MediaAsset.objects.count() == 0


@pytest.mark.parametrize(
    "content_type", ["video/mp4", "", "application/octet-stream", "video/quicktime; codecs=avc1"]
)
def test_a_video_name_with_a_video_or_unknown_type_may_start(s3_server, content_type):
    entrant = UserFactory(email_verified_at=timezone.now())
    entry = EntryFactory(initiative=InitiativeFactory(owner=entrant))
    api = Client()
    api.force_login(entrant)

    response = api.post(
        f"/api/v1/entries/{entry.pk}/vlog-uploads/",
        {"filename": "Mijn vlog.MOV", "size": 1000, "content_type": content_type},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
