"""Finding F9: a presigned part URL signed only the host, so anyone holding it could PUT a
body of any size (up to S3's 5 GiB per part) for six hours. Each URL now signs the part's
exact Content-Length and lives an hour; stale multipart uploads are aborted within hours.
Against the real SeaweedFS: it refuses a body of another size with a signature error."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings
from django.test import Client
from django.utils import timezone

from media_pipeline import services, storage
from media_pipeline.enums import AssetState
from media_pipeline.models import MediaAsset
from tests.factories import EntryFactory, InitiativeFactory, UserFactory

pytestmark = [pytest.mark.storage, pytest.mark.django_db]

SIZE = 8 * 1024 * 1024 + 1000  # two parts: 8 MiB and 1000 bytes


@pytest.fixture
def upload(s3_server):
    entrant = UserFactory(email_verified_at=timezone.now())
    entry = EntryFactory(initiative=InitiativeFactory(owner=entrant))
    api = Client()
    api.force_login(entrant)
    started = api.post(
        f"/api/v1/entries/{entry.pk}/vlog-uploads/",
        {"filename": "vlog.mp4", "size": SIZE, "content_type": "video/mp4"},
        content_type="application/json",
    )
    assert started.status_code == 201, started.content
    base = f"/api/v1/entries/{entry.pk}/vlog-uploads/{started.json()['uid']}/"
    urls = api.post(
        base + "sign/", {"part_numbers": [1, 2]}, content_type="application/json"
    ).json()["urls"]
    return api, base, urls


def _parts(api, base) -> list[tuple[int, int]]:
    return [(p["part_number"], p["size"]) for p in api.get(base + "parts/").json()["parts"]]


def test_a_part_of_another_size_is_refused_by_storage(upload):
    api, base, urls = upload

    bigger = requests.put(urls["2"], data=b"\0" * (1000 + 10 * 1024 * 1024), timeout=60)
    smaller = requests.put(urls["2"], data=b"\0" * 999, timeout=30)
    chunked = requests.put(urls["2"], data=iter([b"\0" * 1000]), timeout=30)  # no length

    for refused in (bigger, smaller, chunked):
        assert refused.status_code == 403
        assert "SignatureDoesNotMatch" in refused.text
    assert _parts(api, base) == []


def test_parts_of_the_signed_size_are_accepted(upload):
    api, base, urls = upload

    first = requests.put(urls["1"], data=b"\0" * (8 * 1024 * 1024), timeout=60)
    last = requests.put(urls["2"], data=b"\0" * 1000, timeout=30)

    assert (first.status_code, last.status_code) == (200, 200)
    assert _parts(api, base) == [(1, 8 * 1024 * 1024), (2, 1000)]


def test_part_urls_sign_the_length_and_live_an_hour(upload):
    query = parse_qs(urlsplit(upload[2]["1"]).query)

    assert query["X-Amz-SignedHeaders"] == ["content-length;host"]
    assert int(query["X-Amz-Expires"][0]) == settings.MEDIA_UPLOAD_PART_URL_TTL == 3600


def test_an_abandoned_upload_is_aborted_within_hours(upload):
    urls = upload[2]
    asset = MediaAsset.objects.get()
    assert settings.MEDIA_UPLOAD_EXPIRY_HOURS <= 6

    soon = services.reconcile(now=timezone.now() + timedelta(hours=1))
    later = services.reconcile(now=timezone.now() + timedelta(hours=6, minutes=1))

    assert soon["expired"] == 0
    assert later["expired"] == 1
    asset.refresh_from_db()
    assert asset.state == AssetState.EXPIRED
    open_uploads = storage.s3_client().list_multipart_uploads(Bucket=storage.bucket_name())
    assert asset.multipart_upload_id not in [u["UploadId"] for u in open_uploads.get("Uploads", [])]
    assert requests.put(urls["2"], data=b"\0" * 1000, timeout=30).status_code == 404
