import pytest
from django.core.management import call_command
from django.test.utils import override_settings

from common.models import WorkerHeartbeat
from common.tasks import worker_heartbeat
from media_pipeline import ffmpeg, storage
from tests.conftest import wait_for
from tests.factories import OrganiserFactory


@pytest.mark.storage
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_healthz_reports_every_part_ok_with_a_live_worker(client, celery_worker, settings):
    worker_heartbeat.delay()
    beat = wait_for(lambda: WorkerHeartbeat.objects.first(), message="no heartbeat from worker")
    client.force_login(OrganiserFactory())

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "storage": True,
        "broker": True,
        "ffmpeg": True,
        "worker": True,
    }
    assert body["checks"]["storage"]["detail"] == f"{settings.S3_ENDPOINT_URL}/{settings.S3_BUCKET}"
    assert body["checks"]["ffmpeg"]["detail"] == ffmpeg.ffmpeg_version()
    assert body["checks"]["worker"]["detail"].startswith(f"{beat.hostname}, ")


def _unreachable_storage(settings):
    return override_settings(
        **storage.settings_for_server(
            endpoint_url="http://127.0.0.1:9",
            access_key=settings.S3_ACCESS_KEY_ID,
            secret_key=settings.S3_SECRET_ACCESS_KEY,
            bucket=settings.S3_BUCKET,
        )
    )


@pytest.mark.django_db
def test_healthz_is_503_when_storage_is_down_and_no_worker_beats(client, settings):
    client.force_login(OrganiserFactory())
    with _unreachable_storage(settings):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "storage": False,
        "broker": True,
        "ffmpeg": True,
        "worker": False,
    }
    assert body["checks"]["worker"]["detail"] == "no heartbeat yet"


@pytest.mark.django_db
def test_healthz_tells_anonymous_callers_only_the_status(client):
    body = client.get("/healthz").json()

    assert set(body) == {"status", "checks"}
    assert all(set(check) == {"ok"} for check in body["checks"].values())


@pytest.mark.django_db
def test_healthz_reports_a_stale_heartbeat(client, settings):
    from datetime import timedelta

    from django.utils import timezone

    WorkerHeartbeat.objects.create(
        hostname="oude-worker", last_seen=timezone.now() - timedelta(minutes=10)
    )
    client.force_login(OrganiserFactory())

    body = client.get("/healthz").json()

    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["worker"]["detail"].startswith("oude-worker, 6")


@pytest.mark.django_db
def test_doctor_prints_a_hint_for_each_failure_and_exits_1(settings, capsys):
    with _unreachable_storage(settings), pytest.raises(SystemExit) as exited:
        call_command("doctor", no_color=True)

    out = capsys.readouterr().out
    assert exited.value.code == 1
    lines = out.splitlines()
    assert lines[0].startswith("ok   database")
    assert lines[1].startswith("FAIL storage")
    assert lines[2].startswith("     hint: Is the S3 server running")
    assert any(line.startswith("FAIL worker") for line in lines)
    assert "     hint: Start a worker with beat: see README." in lines
