from __future__ import annotations

import socket

from celery import shared_task
from celery.signals import worker_ready
from django.utils import timezone

from common.models import WorkerHeartbeat


@shared_task
def worker_heartbeat() -> None:
    """Scheduled by beat; proves that the broker delivers and a worker runs tasks."""
    WorkerHeartbeat.objects.update_or_create(
        hostname=socket.gethostname(), defaults={"last_seen": timezone.now()}
    )


@worker_ready.connect
def _first_heartbeat(**kwargs) -> None:
    """Beat's first run comes one interval after start; report a new worker at once."""
    worker_heartbeat.delay()
