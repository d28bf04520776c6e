"""Every write to media assets: registering uploads, state changes and processing."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common import audit, statemachine
from common.errors import DomainError, InvalidTransition
from common.jobs import queue_after_commit
from common.models import Actor, AuditLog, User
from media_pipeline import storage
from media_pipeline.enums import ASSET_TRANSITIONS, AssetState
from media_pipeline.models import MediaAsset
from media_pipeline.profile import minutes_seconds, task_time_limit

logger = logging.getLogger(__name__)


def transition_asset(*, asset_id: int, to: str, actor: Actor = None, **changes: Any) -> MediaAsset:
    """The one place that changes ``MediaAsset.state`` (locks, checks the table, audits)."""
    return statemachine.transition(
        model=MediaAsset, pk=asset_id, to=to, table=ASSET_TRANSITIONS, actor=actor, **changes
    )


def enqueue_processing(asset_id: int, max_duration_seconds: int) -> None:
    """Queue processing after commit. If the broker is down the asset stays 'uploaded' and the
    reconciler queues it later, so the request that stored it does not fail."""
    limit = task_time_limit(max_duration_seconds)
    queue_after_commit("media_pipeline.tasks.process_asset", asset_id, quiet=True, time_limit=limit)


def create_asset_from_file(
    *, owner: User, path: Path, filename: str, max_duration_seconds: int = 300
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
            enqueue_processing(asset.pk, max_duration_seconds)
    except Exception:
        storage.delete_object(asset.original_key)  # no orphaned object
        raise
    asset.refresh_from_db()
    return asset


def reprocess_asset(*, asset_id: int, actor: Actor = None) -> MediaAsset:
    """Queue a ready or failed asset again (after a profile change or an organiser retry).
    Raises InvalidTransition for any other asset (or one that does not exist)."""
    with transaction.atomic():
        try:
            asset = transition_asset(
                asset_id=asset_id,
                to=AssetState.UPLOADED,
                actor=actor,
                where={"state__in": [AssetState.READY, AssetState.FAILED]},
                progress=0,
                attempts=0,
            )
        except MediaAsset.DoesNotExist:
            raise InvalidTransition(code="not_reprocessable") from None
        enqueue_processing(asset.pk, asset.max_duration_seconds)
    return asset


def reconcile(*, now: datetime | None = None) -> dict[str, int]:
    """Periodic repair: take over runs whose lease expired (the worker died or hung), queue
    uploaded assets whose task got lost, expire uploads that never arrived (deleting what they
    left in storage) and abort multipart uploads nobody finished.
    Side effects: processing tasks after commit; audit rows for expiries; storage deletes."""
    now = now or timezone.now()
    # The reconciler queues an asset at most once per MEDIA_REQUEUE_AFTER_SECONDS.
    interval = timedelta(seconds=settings.MEDIA_REQUEUE_AFTER_SECONDS)
    not_recently = Q(requeued_at__isnull=True) | Q(requeued_at__lte=now - interval)
    stale = MediaAsset.objects.filter(
        not_recently,
        state__in=[AssetState.PROBING, AssetState.PROCESSING],
        lease_expires_at__lte=now,
    )
    lost = MediaAsset.objects.filter(
        not_recently, state=AssetState.UPLOADED, updated_at__lte=now - interval
    )
    upload_expiry = now - timedelta(hours=settings.MEDIA_UPLOAD_EXPIRY_HOURS)
    abandoned = MediaAsset.objects.filter(
        state=AssetState.AWAITING_UPLOAD, created_at__lte=upload_expiry
    )
    expired = 0
    for asset_id, key, upload_id in abandoned.values_list(
        "pk", "original_key", "multipart_upload_id"
    ):
        try:
            transition_asset(asset_id=asset_id, to=AssetState.EXPIRED)
        except InvalidTransition:
            continue  # it changed meanwhile
        if upload_id:
            storage.abort_multipart(key, upload_id)
        storage.delete_object(key)
        expired += 1
    taken_over = list(stale.values_list("pk", "max_duration_seconds"))
    requeued = list(lost.values_list("pk", "max_duration_seconds"))
    for asset_id, max_duration in taken_over + requeued:
        enqueue_processing(asset_id, max_duration)
    MediaAsset.objects.filter(pk__in=[a for a, _m in taken_over + requeued]).update(requeued_at=now)
    return {
        "taken_over": len(taken_over),
        "requeued": len(requeued),
        "expired": expired,
        "multipart_aborted": storage.abort_multipart_uploads(started_before=upload_expiry),
    }


def choose_poster(*, asset_id: int, at_seconds: Decimal, actor: User | None = None) -> MediaAsset:
    """The entrant picks another moment of their vlog as its poster. The rules, all here: the
    asset is ready, the moment lies inside it, the entrant has not chosen too often this hour
    (MEDIA_POSTER_CHOICES_PER_HOUR, counted from the audit log); the moment is stored (so
    reprocessing keeps it) and a poster job is queued after commit, with a low priority,
    unless one is still waiting for this asset (``poster_pending_since``, in the row: the
    waiting job will read the new moment). Audited."""
    now = timezone.now()
    with transaction.atomic():
        asset = MediaAsset.objects.select_for_update().get(pk=asset_id)
        if asset.state != AssetState.READY:
            raise DomainError(_("The vlog is not ready yet."), code="not_ready")
        if not (0 <= at_seconds < (asset.duration or 0)):
            raise DomainError(
                _("Choose a moment within the video (0:00 to %(end)s).")
                % {"end": minutes_seconds(asset.duration or 0)},
                code="poster_out_of_range",
            )
        if (
            getattr(actor, "pk", None)
            and AuditLog.objects.filter(
                actor=actor, action="poster_chosen", created_at__gte=now - timedelta(hours=1)
            ).count()
            >= settings.MEDIA_POSTER_CHOICES_PER_HOUR
        ):
            raise DomainError(
                _("You have chosen a new picture many times in a short while. Try again later."),
                code="poster_throttled",
            )
        pending = asset.poster_pending_since
        queue = pending is None or pending <= now - timedelta(
            seconds=settings.MEDIA_POSTER_PENDING_SECONDS
        )
        asset.poster_at = at_seconds.quantize(Decimal("0.001"))
        if queue:
            asset.poster_pending_since = now
        asset.save(update_fields=["poster_at", "poster_pending_since", "updated_at"])
        audit.record(actor=actor, action="poster_chosen", obj=asset, at=str(asset.poster_at))
        if queue:
            queue_after_commit(
                "media_pipeline.tasks.make_poster",
                asset_id,
                quiet=True,
                priority=settings.MEDIA_POSTER_PRIORITY,
            )
    return asset
