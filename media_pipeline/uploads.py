"""Resumable browser uploads straight to object storage (S3 multipart with presigned parts).

Django never receives video bytes: it creates the multipart upload under a key it chooses,
signs part URLs in batches, and on completion checks the parts, the total size and the first
bytes itself before the media pipeline takes over.
"""

from __future__ import annotations

import math
from pathlib import PurePath
from typing import cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import DomainError
from media_pipeline import ffmpeg, storage
from media_pipeline.enums import AssetState
from media_pipeline.models import MediaAsset
from media_pipeline.profile import Rejected
from media_pipeline.services import enqueue_processing, transition_asset

MiB = 1024 * 1024
MAX_PARTS = 10_000
SIGN_BATCH_MAX = 100
VIDEO_EXTENSIONS = {
    *(".mp4", ".m4v", ".mov", ".qt", ".3gp", ".webm", ".mkv", ".avi"),
    *(".mts", ".m2ts", ".m2t", ".ts", ".mpg", ".mpeg"),  # camcorders (AVCHD), MPEG-PS
}


class UploadError(DomainError):
    code = "upload_error"


def part_size_for(size: int) -> int:
    """8 MiB parts, 16 MiB for files over 1 GiB, more only when S3's 10,000-part cap needs it."""
    base = 8 * MiB if size <= 1024 * MiB else 16 * MiB
    return max(base, math.ceil(size / MAX_PARTS / MiB) * MiB)


def part_count(asset: MediaAsset) -> int:
    size, part_size = _multipart_sizes(asset)
    return max(1, math.ceil(size / part_size))


def expected_part_size(asset: MediaAsset, number: int) -> int:
    """The exact byte count of part ``number`` (every part is full except the last)."""
    count = part_count(asset)
    size, part_size = _multipart_sizes(asset)
    return part_size if number < count else size - (count - 1) * part_size


def _multipart_sizes(asset: MediaAsset) -> tuple[int, int]:
    """The size and the part size of a browser upload (both set when it starts)."""
    return cast(int, asset.size_bytes), cast(int, asset.part_size)


# What browsers report for a video file they do not recognise.
UNKNOWN_TYPES = {"", "application/octet-stream"}
# Non-video types that systems' MIME tables give these video extensions (.ts is also a Qt
# translation or TypeScript file, .mts an IANA 3D-model type): the bytes decide on completion.
MISLABELLED_TYPES = {
    ".ts": {
        "text/vnd.trolltech.linguist",
        "text/vnd.qt.linguist",
        "application/typescript",
        "application/x-typescript",
        "text/typescript",
        "text/x-typescript",
    },
    ".mts": {"model/vnd.mts"},
}


def check_file(*, filename: str, size: int, content_type: str, max_bytes: int) -> None:
    """The checks the browser's own report allows before a byte is sent: a video extension
    and a video (or unknown) type, both; a size within the limit. The first bytes are checked
    on completion."""
    suffix = PurePath(filename or "").suffix.lower()
    browser_type = (content_type or "").split(";")[0].strip().lower()
    if suffix not in VIDEO_EXTENSIONS or not (
        browser_type in UNKNOWN_TYPES
        or browser_type.startswith("video/")
        or browser_type in MISLABELLED_TYPES.get(suffix, ())
    ):
        raise UploadError(
            _(
                "This file type is not a video. Upload an MP4, MOV, 3GP, WebM, MKV, AVI, "
                "MTS, M2TS, TS or MPG file."
            ),
            code="wrong_type",
        )
    if size <= 0:
        raise UploadError(_("This file is empty. Choose your vlog again."), code="empty")
    if size > max_bytes:
        raise UploadError(
            _("This file is too large (%(size)s). The maximum is %(limit)s.")
            % {"size": human_size(size), "limit": human_size(max_bytes)},
            code="too_large",
        )


def human_size(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:.1f} GB".replace(".", ",")
    return f"{max(1, round(size / MiB))} MB"


def start_upload(
    *,
    owner,
    filename: str,
    size: int,
    content_type: str,
    max_bytes: int,
    max_duration_seconds: int,
) -> MediaAsset:
    """Create the asset (awaiting upload) and its S3 multipart upload under our own key.
    Side effect: a multipart upload in storage (aborted by the reconciler if abandoned)."""
    check_file(filename=filename, size=size, content_type=content_type, max_bytes=max_bytes)
    asset = MediaAsset(
        owner=owner,
        original_filename=PurePath(filename).name[:255],
        size_bytes=size,
        part_size=part_size_for(size),
        max_duration_seconds=max_duration_seconds,
    )
    asset.original_key = f"originals/{asset.uid}"
    created = storage.s3_client().create_multipart_upload(
        Bucket=storage.bucket_name(),
        Key=asset.original_key,
        ContentType="application/octet-stream",
    )
    asset.multipart_upload_id = created["UploadId"]
    try:
        asset.save()
    except Exception:
        storage.abort_multipart(asset.original_key, asset.multipart_upload_id)
        raise
    return asset


def _require_open(asset: MediaAsset) -> None:
    if asset.state != AssetState.AWAITING_UPLOAD:
        raise UploadError(
            _("This upload has already ended. Start a new upload if needed."), code="upload_closed"
        )


def sign_parts(*, asset: MediaAsset, part_numbers: list[int]) -> dict[int, str]:
    """Presigned UploadPart URLs for a batch of part numbers. Each URL signs the part's exact
    Content-Length (storage refuses any other body size) and lives
    MEDIA_UPLOAD_PART_URL_TTL seconds."""
    _require_open(asset)
    count = part_count(asset)
    if not part_numbers or len(part_numbers) > SIGN_BATCH_MAX:
        raise UploadError(
            _("Ask for 1 to %(max)s parts at a time.") % {"max": SIGN_BATCH_MAX}, code="batch"
        )
    if any(not 1 <= n <= count for n in part_numbers):
        raise UploadError(_("This part does not exist."), code="part_range")
    client = storage.upload_signing_client()
    return {
        n: client.generate_presigned_url(
            "upload_part",
            Params={
                "Bucket": storage.bucket_name(),
                "Key": asset.original_key,
                "UploadId": asset.multipart_upload_id,
                "PartNumber": n,
                "ContentLength": expected_part_size(asset, n),
            },
            ExpiresIn=settings.MEDIA_UPLOAD_PART_URL_TTL,
        )
        for n in sorted(set(part_numbers))
    }


def list_parts(asset: MediaAsset) -> list[dict]:
    """The parts the storage holds (for resuming after a reload or a network drop)."""
    _require_open(asset)
    client = storage.s3_client()
    parts = []
    paginator = client.get_paginator("list_parts")
    pages = paginator.paginate(
        Bucket=storage.bucket_name(), Key=asset.original_key, UploadId=asset.multipart_upload_id
    )
    for page in pages:
        parts += [
            {"part_number": p["PartNumber"], "size": p["Size"], "etag": p["ETag"]}
            for p in page.get("Parts", [])
        ]
    return parts


def complete_upload(*, asset: MediaAsset, actor=None) -> MediaAsset:
    """Check the parts and total size ourselves, complete the upload, check the object's size
    and its first bytes (is it a video container at all), then hand it to the pipeline.
    A file that is not a video is rejected (and deleted) with a Dutch reason. Only one
    completion runs at a time; a repeated call returns the asset as it is (idempotent)."""
    claimed = MediaAsset.objects.filter(
        pk=asset.pk, state=AssetState.AWAITING_UPLOAD, completing_since__isnull=True
    ).update(completing_since=timezone.now())
    if not claimed:
        return MediaAsset.objects.get(pk=asset.pk)
    try:
        return _complete(asset, actor)
    finally:
        MediaAsset.objects.filter(pk=asset.pk).update(completing_since=None)


def _complete(asset: MediaAsset, actor) -> MediaAsset:
    parts = list_parts(asset)
    count = part_count(asset)
    sizes = {p["part_number"]: p["size"] for p in parts}
    complete = set(sizes) == set(range(1, count + 1)) and all(
        sizes[n] == expected_part_size(asset, n) for n in sizes
    )
    if not complete:
        raise UploadError(
            _("Not every part has arrived yet. The upload will go on where it stopped."),
            code="incomplete",
        )
    client, bucket = storage.s3_client(), storage.bucket_name()
    client.complete_multipart_upload(
        Bucket=bucket,
        Key=asset.original_key,
        UploadId=asset.multipart_upload_id,
        MultipartUpload={
            "Parts": [{"PartNumber": p["part_number"], "ETag": p["etag"]} for p in parts]
        },
    )
    head = client.head_object(Bucket=bucket, Key=asset.original_key)
    first = client.get_object(
        Bucket=bucket, Key=asset.original_key, Range=f"bytes=0-{ffmpeg.SNIFF_BYTES - 1}"
    )
    demuxer = ffmpeg.sniff_demuxer(first["Body"].read())
    if head["ContentLength"] != asset.size_bytes or demuxer is None:
        storage.delete_object(asset.original_key)
        rejected = Rejected("not_a_video" if demuxer is None else "unreadable")
        return transition_asset(
            asset_id=asset.pk,
            to=AssetState.REJECTED,
            actor=actor,
            error_code=rejected.code,
            error_message=rejected.message,
        )
    with transaction.atomic():
        asset = transition_asset(asset_id=asset.pk, to=AssetState.UPLOADED, actor=actor)
        enqueue_processing(asset.pk, asset.max_duration_seconds)
    return asset


def cancel_upload(*, asset: MediaAsset, actor=None) -> MediaAsset:
    """Stop an upload: abort the multipart upload (its parts are deleted). Not while it is
    being completed."""
    _require_open(asset)
    if MediaAsset.objects.filter(pk=asset.pk, completing_since__isnull=False).exists():
        raise UploadError(
            _("This upload is being finished and can no longer be stopped."), code="completing"
        )
    storage.abort_multipart(asset.original_key, asset.multipart_upload_id)
    return transition_asset(asset_id=asset.pk, to=AssetState.CANCELLED, actor=actor)
