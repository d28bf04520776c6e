"""Leases, fencing tokens and the reconciler: duplicated, retried or orphaned work does no harm."""

import os
import signal
import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from common.models import AuditLog
from media_pipeline import ffmpeg, processing, services, storage
from media_pipeline.clips import generate_clip
from media_pipeline.enums import AssetState, JobKind, JobStatus, RenditionKind
from media_pipeline.models import MediaAsset
from media_pipeline.tasks import process_asset as process_task
from tests.conftest import start_worker, wait_for
from tests.factories import UserFactory

pytestmark = [pytest.mark.storage, pytest.mark.media]


@pytest.fixture
def small_clip(tmp_path):
    return generate_clip(tmp_path / "vlog.mp4", seconds=1, width=320, height=240)


@pytest.mark.django_db
def test_asset_held_by_a_live_lease_is_left_alone(stored_asset, small_clip):
    asset = stored_asset(small_clip)
    MediaAsset.objects.filter(pk=asset.pk).update(
        state=AssetState.PROCESSING,
        lease_token=4,
        lease_expires_at=timezone.now() + timedelta(minutes=2),
    )

    assert processing.process_asset(asset_id=asset.pk) is None

    asset.refresh_from_db()
    assert (asset.state, asset.lease_token, asset.attempts) == (AssetState.PROCESSING, 4, 0)


@pytest.mark.django_db
def test_expired_lease_is_taken_over_with_a_new_token(stored_asset, small_clip):
    asset = stored_asset(small_clip)
    MediaAsset.objects.filter(pk=asset.pk).update(
        state=AssetState.PROCESSING,
        lease_token=4,
        attempts=1,
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )

    result = processing.process_asset(asset_id=asset.pk)

    assert (result.state, result.lease_token, result.attempts) == (AssetState.READY, 5, 2)
    assert result.lease_expires_at is None
    steps = [
        (log.data["from"], log.data["to"])
        for log in AuditLog.objects.filter(object_id=str(asset.pk)).order_by("pk")
    ]
    assert steps == [
        ("processing", "uploaded"),
        ("uploaded", "probing"),
        ("probing", "processing"),
        ("processing", "ready"),
    ]


@pytest.mark.django_db
def test_asset_fails_after_the_attempt_cap(stored_asset, small_clip):
    asset = stored_asset(small_clip)
    MediaAsset.objects.filter(pk=asset.pk).update(attempts=processing.MAX_ATTEMPTS)

    result = processing.process_asset(asset_id=asset.pk)

    assert (result.state, result.error_code) == (AssetState.FAILED, "attempts_exhausted")
    assert result.renditions.count() == 0


@pytest.mark.django_db
def test_a_worker_that_lost_its_lease_cannot_write(stored_asset, small_clip):
    asset = stored_asset(small_clip)
    MediaAsset.objects.filter(pk=asset.pk).update(state=AssetState.PROCESSING, lease_token=7)

    with pytest.raises(processing.LeaseLost):
        processing._renew(asset.pk, 6, progress=50)
    with pytest.raises(processing.LeaseLost):
        processing._end(asset.pk, 6, AssetState.READY, "", "")

    asset.refresh_from_db()
    assert (asset.state, asset.progress, asset.lease_token) == (AssetState.PROCESSING, 0, 7)


@pytest.mark.django_db
def test_each_step_is_recorded_in_a_job_row(stored_asset, small_clip):
    asset = stored_asset(small_clip)

    result = processing.process_asset(asset_id=asset.pk)

    jobs = {job.kind: job for job in result.jobs.all()}
    assert set(jobs) == set(JobKind.values)
    for job in jobs.values():
        assert (job.status, job.attempts, job.fencing_token, job.progress) == (
            JobStatus.SUCCEEDED,
            1,
            result.lease_token,
            100,
        )
        assert job.worker_host == socket.gethostname()
        assert job.started_at <= job.finished_at
        assert job.ffmpeg_version == ffmpeg.ffmpeg_version()
    preview_cmd = jobs[JobKind.PREVIEW].command
    assert preview_cmd[0] == ffmpeg.ffmpeg_path()
    assert preview_cmd[preview_cmd.index("-protocol_whitelist") + 1] == "file"
    assert jobs[JobKind.PROBE].command[:3] == ["ffprobe", "-protocol_whitelist", "file"]


@pytest.mark.django_db
def test_a_rejected_probe_is_recorded_with_its_code(stored_asset, tmp_path):
    path = tmp_path / "tekst.mp4"
    path.write_text("geen video")
    asset = stored_asset(path)

    processing.process_asset(asset_id=asset.pk)

    job = asset.jobs.get()
    assert (job.kind, job.status, job.error_code) == (
        JobKind.PROBE,
        JobStatus.FAILED,
        "not_a_video",
    )


@pytest.mark.django_db
def test_reconcile_takes_over_requeues_and_expires(stored_asset, small_clip):
    owner = UserFactory()
    now = timezone.now()
    stale = stored_asset(small_clip)
    MediaAsset.objects.filter(pk=stale.pk).update(
        state=AssetState.PROCESSING,
        lease_expires_at=now - timedelta(seconds=5),
    )
    live = MediaAsset.objects.create(
        owner=owner,
        original_key="originals/live",
        state=AssetState.PROCESSING,
        lease_expires_at=now + timedelta(minutes=1),
    )
    lost = MediaAsset.objects.create(owner=owner, original_key="originals/lost", state="uploaded")
    MediaAsset.objects.filter(pk=lost.pk).update(updated_at=now - timedelta(hours=1))
    abandoned = MediaAsset.objects.create(owner=owner, original_key="originals/gone")
    storage.s3_client().put_object(Bucket=storage.bucket_name(), Key="originals/gone", Body=b"x")
    MediaAsset.objects.filter(pk=abandoned.pk).update(created_at=now - timedelta(days=3))
    fresh = MediaAsset.objects.create(owner=owner, original_key="originals/fresh")

    counts = services.reconcile()

    assert counts == {"taken_over": 1, "requeued": 1, "expired": 1, "multipart_aborted": 0}
    again = services.reconcile()  # queued a moment ago: not queued again yet
    assert (again["taken_over"], again["requeued"]) == (0, 0)
    states = dict(MediaAsset.objects.values_list("pk", "state"))
    assert states[abandoned.pk] == AssetState.EXPIRED
    assert states[fresh.pk] == AssetState.AWAITING_UPLOAD
    assert states[live.pk] == AssetState.PROCESSING
    listed = storage.s3_client().list_objects_v2(Bucket=storage.bucket_name(), Prefix="originals/")
    assert "originals/gone" not in [o["Key"] for o in listed.get("Contents", [])]


@pytest.mark.django_db
def test_reconcile_aborts_stale_multipart_uploads_only(s3_server):
    client, bucket = storage.s3_client(), storage.bucket_name()
    upload = client.create_multipart_upload(Bucket=bucket, Key="originals/half")

    open_uploads = len(client.list_multipart_uploads(Bucket=bucket).get("Uploads", []))

    assert services.reconcile()["multipart_aborted"] == 0
    later = timezone.now() + timedelta(hours=49)
    assert services.reconcile(now=later)["multipart_aborted"] == open_uploads  # ours included

    remaining = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    assert upload["UploadId"] not in [u["UploadId"] for u in remaining]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_conversion_ends_in_one_ready_set(
    s3_server, queue_prefix, stored_asset, tmp_path, celery_worker
):
    clip = generate_clip(tmp_path / "lang.mp4", seconds=40, width=1280, height=720)
    asset = stored_asset(clip)
    doomed_prefix = f"{queue_prefix}doomed-"
    doomed = start_worker(
        s3=s3_server,
        log_path=tmp_path / "doomed.log",
        queue_prefix=doomed_prefix,
        MEDIA_LEASE_SECONDS="3",
    )
    process_task.apply_async(args=[asset.pk], queue=f"{doomed_prefix}media")
    wait_for(
        lambda: MediaAsset.objects.filter(pk=asset.pk, state="processing", progress__gt=0).exists(),
        timeout=60,
        message="the conversion did not start",
    )

    os.killpg(doomed.proc.pid, signal.SIGKILL)
    doomed.proc.wait()
    wait_for(lambda: MediaAsset.objects.get(pk=asset.pk).lease_expires_at < timezone.now())
    assert services.reconcile()["taken_over"] == 1  # the session worker takes it over

    def finished():  # ready with every output (the extras follow right after 'ready')
        done = MediaAsset.objects.filter(pk=asset.pk, state__in=["ready", "failed"]).first()
        complete = done and (done.state == "failed" or done.renditions.count() == 4)
        return done if complete else None

    done = wait_for(finished, timeout=120, message="no worker finished the asset")

    assert done.state == AssetState.READY, celery_worker.log()[-2000:]
    assert (done.attempts, done.lease_token) == (2, 2)
    assert sorted(done.renditions.values_list("kind", flat=True)) == sorted(RenditionKind.values)
    preview_job = done.jobs.get(kind=JobKind.PREVIEW)
    assert (preview_job.status, preview_job.attempts) == (JobStatus.SUCCEEDED, 2)
    listed = storage.s3_client().list_objects_v2(
        Bucket=storage.bucket_name(), Prefix=f"renditions/{done.uid}/"
    )
    assert sorted(o["Key"].rsplit("/", 1)[1] for o in listed["Contents"]) == [
        "poster.jpg",
        "preview.mp4",
        "storyboard.jpg",
        "thumbnail.jpg",
    ]
