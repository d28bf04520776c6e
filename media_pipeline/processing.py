"""The work a transcoding worker does: claim an asset with a lease, probe it, make its
outputs, and mark it ready. Every write is fenced by the lease's token."""

from __future__ import annotations

import logging
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from media_pipeline import ffmpeg, storage
from media_pipeline.enums import AssetState, JobKind, JobStatus, RenditionKind
from media_pipeline.models import MediaAsset, MediaJob, Rendition
from media_pipeline.profile import (
    FAILURES,
    PROCESSING_VERSION,
    THUMBNAIL_WIDTH,
    Rejected,
    VideoFacts,
    analyse,
    poster_args,
    poster_moment,
    preview_args,
    remux_args,
    storyboard_args,
    storyboard_plan,
    thumbnail_args,
    timeout_for,
)
from media_pipeline.services import transition_asset
from media_pipeline.signals import asset_ready

logger = logging.getLogger(__name__)

PROGRESS_WRITE_SECONDS = 2.0
MAX_ATTEMPTS = 3


class TransientError(Exception):
    """Our side failed in a way a retry may fix (storage unreachable, worker killed)."""


class LeaseLost(Exception):
    """Another worker took the asset over (our lease expired): stop without writing."""


def _lease_until():
    return timezone.now() + timedelta(seconds=settings.MEDIA_LEASE_SECONDS)


def process_asset(*, asset_id: int) -> MediaAsset | None:
    """Probe the original, apply the rules, make the preview and poster, mark the asset ready.

    Idempotent and safe against duplicates: the asset is claimed with a lease and a new fencing
    token (uploaded→probing, or taking over a run whose lease expired); every later write checks
    the token. A run that keeps failing is stopped after MAX_ATTEMPTS claims. Scratch space is
    always removed. Raises TransientError when a retry may help; the asset is then back in
    'uploaded'."""
    asset = _claim(asset_id)
    if asset is None or asset.state != AssetState.PROBING:
        return asset  # not ours, or failed for good (attempts used up)
    token = asset.lease_token
    settings.MEDIA_SCRATCH_DIR.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"asset-{asset_id}-", dir=settings.MEDIA_SCRATCH_DIR))
    try:
        return _process_claimed(asset, token, scratch)
    except LeaseLost:
        logger.warning("lease lost; another worker took over", extra={"asset_id": asset_id})
        return None
    except Rejected as rejected:
        return _end(asset_id, token, AssetState.REJECTED, rejected.code, rejected.message)
    except ffmpeg.MediaToolError as error:
        # The file passed the probe, so this is our side: failed (retryable), not rejected.
        # The technical detail is in the step's job row; the entrant sees a plain message.
        code = "timeout" if error.timed_out else "conversion_failed"
        logger.warning("conversion failed", extra={"asset_id": asset_id, "error": str(error)})
        return _end(asset_id, token, AssetState.FAILED, code, str(FAILURES[code]))
    except Exception as error:
        # Storage or database trouble: put it back so a retry can claim it again.
        logger.exception("processing failed; will retry", extra={"asset_id": asset_id})
        try:
            _end(asset_id, token, AssetState.UPLOADED, "", "")
        except LeaseLost:
            return None
        raise TransientError(str(error)) from error
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _claim(asset_id: int) -> MediaAsset | None:
    """Take the asset with a fresh lease and fencing token (state 'probing'). Returns None when
    it is not ours to process (done, rejected, or another worker holds a valid lease), and the
    failed asset when its attempts are used up."""
    with transaction.atomic():
        asset = MediaAsset.objects.select_for_update().filter(pk=asset_id).first()
        if asset is None:
            logger.info("asset gone", extra={"asset_id": asset_id})
            return None
        now = timezone.now()
        lease_expired = asset.lease_expires_at is None or asset.lease_expires_at <= now
        if asset.state in (AssetState.PROBING, AssetState.PROCESSING) and lease_expired:
            # The worker that had it died or hung: take it over, visibly in the audit log.
            transition_asset(asset_id=asset_id, to=AssetState.UPLOADED, progress=0)
        elif asset.state != AssetState.UPLOADED:
            logger.info("asset not claimable", extra={"asset_id": asset_id, "state": asset.state})
            return None
        if asset.attempts >= MAX_ATTEMPTS:
            return transition_asset(
                asset_id=asset_id,
                to=AssetState.FAILED,
                error_code="attempts_exhausted",
                error_message=str(FAILURES["attempts_exhausted"]),
                lease_expires_at=None,
            )
        return transition_asset(
            asset_id=asset_id,
            to=AssetState.PROBING,
            progress=0,
            attempts=asset.attempts + 1,
            lease_token=asset.lease_token + 1,
            lease_expires_at=_lease_until(),
        )


def _end(asset_id: int, token: int, state: str, code: str, message: str) -> MediaAsset:
    try:
        return transition_asset(
            asset_id=asset_id,
            to=state,
            where={"lease_token": token},
            error_code=code,
            error_message=message,
            lease_expires_at=None,
        )
    except MediaAsset.DoesNotExist:
        raise LeaseLost from None


def _renew(asset_id: int, token: int, **changes) -> None:
    """Extend our lease (and store ``changes``); raise LeaseLost when it is no longer ours."""
    updated = MediaAsset.objects.filter(pk=asset_id, lease_token=token).update(
        lease_expires_at=_lease_until(), **changes
    )
    if not updated:
        raise LeaseLost


@contextmanager
def _step(asset: MediaAsset, token: int, kind: str) -> Iterator[MediaJob]:
    """Record one processing step in its MediaJob row (status, attempts, timings, host,
    command, log tail, error code). Writes are fenced by ``token``."""
    job, _ = MediaJob.objects.get_or_create(
        asset=asset,
        kind=kind,
        processing_version=PROCESSING_VERSION,
        defaults={"status": JobStatus.RUNNING},
    )
    fenced = MediaJob.objects.filter(pk=job.pk, fencing_token__lt=token)
    claimed = fenced.update(
        status=JobStatus.RUNNING,
        attempts=job.attempts + 1,
        fencing_token=token,
        lease_expires_at=_lease_until(),
        worker_host=socket.gethostname()[:255],
        started_at=timezone.now(),
        finished_at=None,
        progress=0,
        error_code="",
        log_tail="",
    )
    if not claimed:
        raise LeaseLost
    job.refresh_from_db()
    try:
        yield job
    except BaseException as error:
        MediaJob.objects.filter(pk=job.pk, fencing_token=token).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            error_code=getattr(error, "code", type(error).__name__)[:50],
            log_tail=(job.log_tail or getattr(error, "log_tail", ""))[-ffmpeg.LOG_TAIL_CHARS :],
            command=job.command,
        )
        raise
    MediaJob.objects.filter(pk=job.pk, fencing_token=token).update(
        status=JobStatus.SUCCEEDED,
        finished_at=timezone.now(),
        progress=100,
        command=job.command,
        ffmpeg_version=ffmpeg.ffmpeg_version()[:200],
        log_tail=job.log_tail[-ffmpeg.LOG_TAIL_CHARS :],
    )


def _every(seconds: float, *, start: float = 0.0):
    """A check that is true at most once per ``seconds`` (for throttled writes)."""
    last = start

    def due() -> bool:
        nonlocal last
        now = time.monotonic()
        if now - last < seconds:
            return False
        last = now
        return True

    return due


def _throttled_renew(asset: MediaAsset, token: int):
    """A boto3 transfer callback that renews the lease every few seconds during a download."""
    due = _every(PROGRESS_WRITE_SECONDS, start=time.monotonic())

    def on_bytes(_count: int) -> None:
        if due():
            _renew(asset.pk, token)

    return on_bytes


def _run_step(job: MediaJob, args: list[str], **kwargs) -> ffmpeg.RunResult:
    job.command = args
    result = ffmpeg.run(args, **kwargs)
    job.log_tail = result.log_tail
    return result


def _process_claimed(asset: MediaAsset, token: int, scratch: Path) -> MediaAsset:
    original = scratch / "original"
    with _step(asset, token, JobKind.PROBE) as job:
        storage.download_file(asset.original_key, original, on_bytes=_throttled_renew(asset, token))
        if original.stat().st_size == 0:
            raise Rejected("unreadable")
        demuxer = ffmpeg.sniff_file(original)
        if demuxer is None:
            raise Rejected("not_a_video")
        job.command = ["ffprobe", *ffmpeg.safe_input_args(original, demuxer)]
        try:
            probe = ffmpeg.probe(original, demuxer)
        except ffmpeg.MediaToolError as error:
            if error.timed_out:
                raise
            raise Rejected("unreadable") from error
        try:
            facts = analyse(probe, max_duration_seconds=asset.max_duration_seconds)
        except (ValueError, ArithmeticError, KeyError, TypeError) as error:  # odd probe data
            raise Rejected("unreadable") from error
    try:
        transition_asset(
            asset_id=asset.pk,
            to=AssetState.PROCESSING,
            where={"lease_token": token},
            probe=probe,
            duration=facts.duration,
            width=facts.width,
            height=facts.height,
            lease_expires_at=_lease_until(),
        )
    except MediaAsset.DoesNotExist:
        raise LeaseLost from None

    preview = scratch / "preview.mp4"
    with _step(asset, token, JobKind.PREVIEW) as job:
        if facts.web_ready:  # fast path: playable in seconds, nothing to gain by converting
            _run_step(
                job,
                [ffmpeg.ffmpeg_path(), *remux_args(original, demuxer, preview)],
                timeout=timeout_for(facts.duration),
            )
        else:
            _run_step(
                job,
                [ffmpeg.ffmpeg_path(), *preview_args(original, demuxer, preview, facts)],
                timeout=timeout_for(facts.duration),
                on_progress_line=_progress_writer(asset.pk, token, job.pk, facts.duration),
            )
        preview_facts = _check_preview(preview, facts)
    poster = scratch / "poster.jpg"
    _renew(asset.pk, token)
    with _step(asset, token, JobKind.POSTER) as job:
        poster_at = poster_moment(asset.poster_at, preview_facts.duration)
        _run_step(job, [ffmpeg.ffmpeg_path(), *poster_args(preview, poster, poster_at)], timeout=60)
    width, height = preview_facts.width, preview_facts.height
    outputs = [
        Output(
            RenditionKind.PREVIEW,
            preview,
            "video/mp4",
            width=width,
            height=height,
            duration=preview_facts.duration,
        ),
        Output(RenditionKind.POSTER, poster, "image/jpeg", width=width, height=height),
    ]
    ready = _publish(asset, token, outputs)  # playable now; the extras follow
    try:
        extras = _optional_outputs(ready, token, scratch, preview, poster, preview_facts)
        return _attach_optional(ready, token, extras)
    except Exception:  # the vlog stays ready whatever happens to the extras
        logger.exception("optional outputs failed", extra={"asset_id": asset.pk})
        return MediaAsset.objects.get(pk=asset.pk)


@dataclass
class Output:
    kind: str
    path: Path
    content_type: str
    width: int | None = None
    height: int | None = None
    duration: Decimal | None = None
    meta: dict = field(default_factory=dict)


def _optional_outputs(
    asset: MediaAsset, token: int, scratch: Path, preview: Path, poster: Path, facts: VideoFacts
) -> list[Output]:
    """Thumbnail and storyboard: when one fails the vlog is still ready, with a warning."""
    outputs = []
    thumbnail = scratch / "thumbnail.jpg"
    plan = storyboard_plan(facts)
    sprite = scratch / "storyboard.jpg"
    steps = [
        (
            JobKind.THUMBNAIL,
            thumbnail_args(poster, thumbnail),
            Output(RenditionKind.THUMBNAIL, thumbnail, "image/jpeg", width=THUMBNAIL_WIDTH),
        ),
        (
            JobKind.STORYBOARD,
            storyboard_args(preview, sprite, plan),
            Output(
                RenditionKind.STORYBOARD,
                sprite,
                "image/jpeg",
                width=plan.tile_width * plan.columns,
                height=plan.tile_height * plan.rows,
                meta={
                    "interval": str(plan.interval),
                    "frames": plan.frames,
                    "tile_width": plan.tile_width,
                    "tile_height": plan.tile_height,
                    "columns": plan.columns,
                },
            ),
        ),
    ]
    for kind, args, output in steps:
        try:
            with _step(asset, token, kind) as job:
                _run_step(job, [ffmpeg.ffmpeg_path(), *args], timeout=timeout_for(facts.duration))
            outputs.append(output)
        except ffmpeg.MediaToolError:
            logger.warning("optional output failed", extra={"asset_id": asset.pk, "kind": kind})
    return outputs


def _upload_outputs(asset: MediaAsset, outputs: list[Output]) -> dict[str, str]:
    prefix = f"renditions/{asset.uid}/v{PROCESSING_VERSION}"
    keys = {o.kind: f"{prefix}/{o.kind}{o.path.suffix}" for o in outputs}
    for output in outputs:
        storage.upload_file(output.path, keys[output.kind], content_type=output.content_type)
    return keys


def _save_renditions(asset: MediaAsset, outputs: list[Output], keys: dict[str, str]) -> None:
    for output in outputs:
        Rendition.objects.update_or_create(
            asset_id=asset.pk,
            kind=output.kind,
            defaults={
                "key": keys[output.kind],
                "content_type": output.content_type,
                "size_bytes": output.path.stat().st_size,
                "width": output.width,
                "height": output.height,
                "duration": output.duration,
                "meta": output.meta,
            },
        )


def _publish(asset: MediaAsset, token: int, outputs: list[Output]) -> MediaAsset:
    """Upload the required outputs, then mark the asset ready and record its renditions
    (fenced). Renditions of an earlier run that this run does not make are removed."""
    _renew(asset.pk, token)
    keys = _upload_outputs(asset, outputs)
    with transaction.atomic():
        try:
            ready = transition_asset(
                asset_id=asset.pk,
                to=AssetState.READY,
                where={"lease_token": token},
                progress=100,
                processing_version=PROCESSING_VERSION,
                ffmpeg_version=ffmpeg.ffmpeg_version()[:200],
                processed_at=timezone.now(),
                error_code="",
                error_message="",
                warnings=[],
                lease_expires_at=None,
            )
        except MediaAsset.DoesNotExist:
            raise LeaseLost from None
        Rendition.objects.filter(asset_id=asset.pk).exclude(kind__in=keys).delete()
        _save_renditions(asset, outputs, keys)
        transaction.on_commit(lambda: asset_ready.send(sender=MediaAsset, asset_id=asset.pk))
    return ready


def _attach_optional(asset: MediaAsset, token: int, outputs: list[Output]) -> MediaAsset:
    """Add the optional outputs to a ready asset; the ones that failed become warnings. Does
    nothing when the asset was reprocessed meanwhile (a new token)."""
    keys = _upload_outputs(asset, outputs)
    optional = (RenditionKind.THUMBNAIL, RenditionKind.STORYBOARD)
    warnings = sorted(kind for kind in optional if kind not in keys)
    with transaction.atomic():
        current = MediaAsset.objects.select_for_update().filter(
            pk=asset.pk, lease_token=token, state=AssetState.READY
        )
        if not current.update(warnings=warnings):
            for key in keys.values():
                storage.delete_object(key)
            raise LeaseLost
        _save_renditions(asset, outputs, keys)
    return MediaAsset.objects.get(pk=asset.pk)


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


def _progress_writer(asset_id: int, token: int, job_id: int, duration: Decimal):
    """A callback for ffmpeg's ``-progress`` lines: now and then it stores the percentage and
    extends the lease; it stops the run (LeaseLost) when another worker took over."""
    total_us = max(1, int(duration * 1_000_000))
    due = _every(PROGRESS_WRITE_SECONDS)

    def on_line(line: str) -> None:
        key, _, value = line.partition("=")
        if key != "out_time_us" or not value.isdigit() or not due():
            return
        percent = min(99, int(int(value) * 100 / total_us))
        _renew(asset_id, token, progress=percent)
        MediaJob.objects.filter(pk=job_id, fencing_token=token).update(
            progress=percent, lease_expires_at=_lease_until()
        )

    return on_line


def make_poster(*, asset_id: int) -> MediaAsset | None:
    """Make the poster and thumbnail again at the asset's chosen moment (``poster_at``), from
    the preview. Runs only on a ready asset; new keys, so cached old URLs never show the new
    image; the old objects are deleted afterwards. Starting clears the asset's pending mark
    first, so a moment chosen from now on queues a new job."""
    MediaAsset.objects.filter(pk=asset_id).update(poster_pending_since=None)
    asset = MediaAsset.objects.filter(pk=asset_id, state=AssetState.READY).first()
    preview = asset.rendition(RenditionKind.PREVIEW) if asset else None
    if asset is None or preview is None or preview.duration is None:
        return None
    chosen = asset.poster_at
    settings.MEDIA_SCRATCH_DIR.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"poster-{asset_id}-", dir=settings.MEDIA_SCRATCH_DIR))
    try:
        local = scratch / "preview.mp4"
        storage.download_file(preview.key, local)
        poster, thumbnail = scratch / "poster.jpg", scratch / "thumbnail.jpg"
        at = poster_moment(chosen, preview.duration)
        ffmpeg.run([ffmpeg.ffmpeg_path(), *poster_args(local, poster, at)], timeout=60)
        ffmpeg.run([ffmpeg.ffmpeg_path(), *thumbnail_args(poster, thumbnail)], timeout=60)
        stamp = int(at * 1000)
        prefix = preview.key.rsplit("/", 1)[0]
        made = {
            RenditionKind.POSTER: (poster, f"{prefix}/poster-{stamp}.jpg"),
            RenditionKind.THUMBNAIL: (thumbnail, f"{prefix}/thumbnail-{stamp}.jpg"),
        }
        for path, key in made.values():
            storage.upload_file(path, key, content_type="image/jpeg")
        old_keys = []
        with transaction.atomic():
            current = MediaAsset.objects.select_for_update().filter(
                pk=asset_id, state=AssetState.READY, poster_at=chosen
            )
            if not current.exists():  # reprocessed or another moment chosen meanwhile
                for _path, key in made.values():
                    storage.delete_object(key)
                return None
            for kind, (path, key) in made.items():
                old = Rendition.objects.filter(asset_id=asset_id, kind=kind).first()
                if old and old.key != key:
                    old_keys.append(old.key)
                Rendition.objects.update_or_create(
                    asset_id=asset_id,
                    kind=kind,
                    defaults={
                        "key": key,
                        "content_type": "image/jpeg",
                        "size_bytes": path.stat().st_size,
                    },
                )
        for key in old_keys:
            storage.delete_object(key)
        return MediaAsset.objects.get(pk=asset_id)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
