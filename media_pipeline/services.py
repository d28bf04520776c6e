"""Every write to media assets: registering uploads, state changes and processing."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common import statemachine
from common.errors import InvalidTransition
from media_pipeline import storage
from media_pipeline.enums import ASSET_TRANSITIONS, AssetState
from media_pipeline.models import MediaAsset

logger = logging.getLogger(__name__)


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
        _enqueue_processing(asset.pk)
    return asset


def reconcile() -> dict[str, int]:
    """Periodic repair: take over runs whose lease expired (the worker died or hung), queue
    uploaded assets whose task got lost, expire uploads that never arrived.
    Side effects: processing tasks after commit; audit rows for expiries."""
    now = timezone.now()
    stale = list(
        MediaAsset.objects.filter(
            state__in=[AssetState.PROBING, AssetState.PROCESSING], lease_expires_at__lte=now
        ).values_list("pk", flat=True)
    )
    lost = list(
        MediaAsset.objects.filter(
            state=AssetState.UPLOADED,
            updated_at__lte=now - timedelta(seconds=settings.MEDIA_REQUEUE_AFTER_SECONDS),
        ).values_list("pk", flat=True)
    )
    abandoned = MediaAsset.objects.filter(
        state=AssetState.AWAITING_UPLOAD,
        created_at__lte=now - timedelta(hours=settings.MEDIA_UPLOAD_EXPIRY_HOURS),
    ).values_list("pk", flat=True)
    expired = 0
    for asset_id in abandoned:
        try:
            transition_asset(asset_id=asset_id, to=AssetState.EXPIRED)
            expired += 1
        except InvalidTransition:
            pass  # it changed meanwhile
    for asset_id in stale + lost:
        _enqueue_processing(asset_id)
    return {"taken_over": len(stale), "requeued": len(lost), "expired": expired}
