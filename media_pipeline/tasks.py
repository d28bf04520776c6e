"""Background jobs of the media pipeline. Tasks take ids, look the object up and call a service."""

from __future__ import annotations

import logging

from celery import shared_task

from media_pipeline import processing, services

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(processing.TransientError,),
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=5,
)
def process_asset(self, asset_id: int) -> None:
    asset = processing.process_asset(asset_id=asset_id)
    if asset is not None:
        logger.info("asset processed", extra={"asset_id": asset_id, "state": asset.state})


@shared_task
def reconcile_media() -> None:
    counts = services.reconcile()
    if any(counts.values()):
        logger.info("media reconciled", extra=counts)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=10, max_retries=3)
def make_poster(asset_id: int) -> None:
    processing.make_poster(asset_id=asset_id)
