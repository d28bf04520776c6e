from __future__ import annotations

import socket

from celery import shared_task
from django.utils import timezone

from common.models import WorkerHeartbeat


@shared_task
def worker_heartbeat() -> None:
    """Scheduled by beat; proves that the broker delivers and a worker runs tasks."""
    WorkerHeartbeat.objects.update_or_create(
        hostname=socket.gethostname(), defaults={"last_seen": timezone.now()}
    )
