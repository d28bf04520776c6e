"""Every write to media assets: registering uploads, state changes and processing."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common import statemachine
from common.errors import InvalidTransition
from media_pipeline import ffmpeg, storage
from media_pipeline.enums import ASSET_TRANSITIONS, AssetState, RenditionKind
from media_pipeline.models import MediaAsset, Rendition
from media_pipeline.profile import (
    PROCESSING_VERSION,
    Rejected,
    VideoFacts,
    analyse,
    poster_args,
    preview_args,
    timeout_for,
)

logger = logging.getLogger(__name__)

PROGRESS_WRITE_SECONDS = 2.0


class TransientError(Exception):
    """Our side failed in a way a retry may fix (storage unreachable, worker killed)."""


def transition_asset(*, asset_id: int, to: str, actor=None, **changes) -> MediaAsset:
    """The one place that changes ``MediaAsset.state`` (locks, checks the table, audits)."""
    return statemachine.transition(
        model=MediaAsset, pk=asset_id, to=to, table=ASSET_TRANSITIONS, actor=actor, **changes
    )


def _enqueue_processing(asset_id: int) -> None:
    from media_pipeline.tasks import process_asset

    transaction.on_commit(lambda: process_asset.delay(asset_id))


def create_asset_from_file(
    *, owner, path: Path, filename: str, max_duration_seconds: int = 300
) -> MediaAsset:
    """Store a local file as a new original and queue it for processing.

    Used by the demo data and by organisers' tools; entrants upload straight from the browser.
    Side effects: one object in storage, a processing task after commit."""
    asset = MediaAsset(owner=owner, original_filename=filename[:255])
    asset.original_key = f"originals/{asset.uid}"
    asset.size_bytes = path.stat().st_size
    asset.max_duration_seconds = max_duration_seconds
    storage.upload_file(path, asset.original_key, content_type="application/octet-stream")
    try:
        with transaction.atomic():
            asset.save()
            transition_asset(asset_id=asset.pk, to=AssetState.UPLOADED, actor=owner)
            _enqueue_processing(asset.pk)
    except Exception:
        storage.delete_object(asset.original_key)  # no orphaned object
        raise
    asset.refresh_from_db()
    return asset


def reprocess_asset(*, asset_id: int, actor=None) -> MediaAsset:
    """Queue a ready or failed asset again (after a profile change or an organiser retry)."""
    with transaction.atomic():
        asset = transition_asset(asset_id=asset_id, to=AssetState.UPLOADED, actor=actor, progress=0)
        _enqueue_processing(asset.pk)
    return asset


def process_asset(*, asset_id: int) -> MediaAsset | None:
    """Probe the original, apply the rules, make the preview and poster, mark the asset ready.

    Idempotent: the asset is claimed with the uploaded→probing transition, so a duplicate or
    redelivered task finds nothing to do. Scratch space is always removed.
    Raises TransientError when a retry may help; the asset is then back in 'uploaded'."""
    try:
        asset = transition_asset(asset_id=asset_id, to=AssetState.PROBING, progress=0)
    except (InvalidTransition, MediaAsset.DoesNotExist):
        logger.info("asset not claimable", extra={"asset_id": asset_id})
        return None
    settings.MEDIA_SCRATCH_DIR.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"asset-{asset_id}-", dir=settings.MEDIA_SCRATCH_DIR))
    try:
        return _process_claimed(asset, scratch)
    except Rejected as rejected:
        return transition_asset(
            asset_id=asset_id,
            to=AssetState.REJECTED,
            error_code=rejected.code,
            error_message=rejected.message,
        )
    except ffmpeg.MediaToolError as error:
        if error.timed_out:
            return transition_asset(
                asset_id=asset_id,
                to=AssetState.FAILED,
                error_code="timeout",
                error_message=f"{error}\n{error.log_tail}"[-4000:],
            )
        return transition_asset(
            asset_id=asset_id,
            to=AssetState.REJECTED,
            error_code="unreadable",
            error_message=Rejected("unreadable").message,
        )
    except Exception as error:
        # Storage or database trouble: put it back so a retry can claim it again.
        logger.exception("processing failed; will retry", extra={"asset_id": asset_id})
        transition_asset(asset_id=asset_id, to=AssetState.UPLOADED, progress=0)
        raise TransientError(str(error)) from error
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _process_claimed(asset: MediaAsset, scratch: Path) -> MediaAsset:
    original = scratch / "original"
    storage.download_file(asset.original_key, original)
    if original.stat().st_size == 0:
        raise Rejected("unreadable")
    demuxer = ffmpeg.sniff_file(original)
    if demuxer is None:
        raise Rejected("not_a_video")
    try:
        probe = ffmpeg.probe(original, demuxer)
    except ffmpeg.MediaToolError as error:
        if error.timed_out:
            raise
        raise Rejected("unreadable") from error
    facts = analyse(probe, max_duration_seconds=asset.max_duration_seconds)
    transition_asset(
        asset_id=asset.pk,
        to=AssetState.PROCESSING,
        probe=probe,
        duration=facts.duration,
        width=facts.width,
        height=facts.height,
    )

    preview = scratch / "preview.mp4"
    ffmpeg.run(
        [ffmpeg.ffmpeg_path(), *preview_args(original, demuxer, preview, facts)],
        timeout=timeout_for(facts.duration),
        on_progress_line=_progress_writer(asset.pk, facts.duration),
    )
    preview_facts = _check_preview(preview, facts)
    poster = scratch / "poster.jpg"
    poster_at = min(Decimal("1.0"), preview_facts.duration / 3)
    ffmpeg.run([ffmpeg.ffmpeg_path(), *poster_args(preview, poster, poster_at)], timeout=60)

    prefix = f"renditions/{asset.uid}/v{PROCESSING_VERSION}"
    outputs = [
        (RenditionKind.PREVIEW, preview, f"{prefix}/preview.mp4", "video/mp4", preview_facts),
        (RenditionKind.POSTER, poster, f"{prefix}/poster.jpg", "image/jpeg", None),
    ]
    for _kind, path, key, content_type, _facts in outputs:
        storage.upload_file(path, key, content_type=content_type)
    with transaction.atomic():
        for kind, path, key, content_type, out_facts in outputs:
            Rendition.objects.update_or_create(
                asset_id=asset.pk,
                kind=kind,
                defaults={
                    "key": key,
                    "content_type": content_type,
                    "size_bytes": path.stat().st_size,
                    "width": out_facts.width if out_facts else preview_facts.width,
                    "height": out_facts.height if out_facts else preview_facts.height,
                    "duration": out_facts.duration if out_facts else None,
                },
            )
        return transition_asset(
            asset_id=asset.pk,
            to=AssetState.READY,
            progress=100,
            processing_version=PROCESSING_VERSION,
            ffmpeg_version=ffmpeg.ffmpeg_version()[:200],
            processed_at=timezone.now(),
            error_code="",
            error_message="",
        )


def _check_preview(preview: Path, source: VideoFacts) -> VideoFacts:
    """Re-probe the output: H.264 yuv420p, duration close to the source."""
    probe = ffmpeg.probe(preview, "mov")
    facts = analyse(probe, max_duration_seconds=10**6)
    video = next(s for s in probe["streams"] if s.get("codec_type") == "video")
    if video.get("codec_name") != "h264" or video.get("pix_fmt") != "yuv420p":
        raise ffmpeg.MediaToolError(f"preview check failed: {video.get('codec_name')}")
    if abs(facts.duration - source.duration) > max(Decimal("1.0"), source.duration / 20):
        raise ffmpeg.MediaToolError(f"preview duration {facts.duration} != {source.duration}")
    return facts


def _progress_writer(asset_id: int, duration: Decimal):
    """A callback for ffmpeg's ``-progress`` lines that stores the percentage now and then."""
    total_us = max(1, int(duration * 1_000_000))
    last_write = 0.0

    def on_line(line: str) -> None:
        nonlocal last_write
        key, _, value = line.partition("=")
        if key != "out_time_us" or not value.isdigit():
            return
        now = time.monotonic()
        if now - last_write < PROGRESS_WRITE_SECONDS:
            return
        last_write = now
        percent = min(99, int(int(value) * 100 / total_us))
        MediaAsset.objects.filter(pk=asset_id, state=AssetState.PROCESSING).update(progress=percent)

    return on_line
