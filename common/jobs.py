"""Queueing background jobs from services."""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def queue_after_commit(name: str, *args: Any, quiet: bool = False, **options: Any) -> None:
    """Send the task named ``name`` to the broker once the current transaction commits (at
    once outside one), routed by ``CELERY_TASK_ROUTES`` like any other. Services queue
    tasks by name and never import a task module, so tasks stay thin (they look up the
    object and call a service) and nothing imports in a circle; a web process need not have
    imported the task either. ``quiet``: when the broker is down, log it instead of raising
    (for work that a reconciler or a periodic task picks up later)."""

    def send() -> None:
        try:
            current_app.send_task(name, args=list(args), **options)
        except Exception:
            if not quiet:
                raise
            logger.exception(
                "could not queue a task", extra={"task": name, "task_args": list(args)}
            )

    transaction.on_commit(send)
