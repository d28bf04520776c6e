"""The thin slice through the real parts: an object in SeaweedFS, a real Celery worker that
runs ffprobe and ffmpeg on it, and renditions written back to the bucket."""

import json

import pytest

from media_pipeline import ffmpeg, processing, storage
from media_pipeline.clips import generate_clip
from media_pipeline.enums import AssetState, JobKind, RenditionKind
from media_pipeline.models import MediaAsset
from media_pipeline.processing import process_asset
from media_pipeline.services import create_asset_from_file
from tests.conftest import wait_for
from tests.factories import UserFactory

pytestmark = [pytest.mark.storage, pytest.mark.media]


def _wait_final(asset_id: int, timeout: float = 120) -> MediaAsset:
    def final():
        asset = MediaAsset.objects.get(pk=asset_id)
        return asset if asset.is_final else None

    return wait_for(final, timeout=timeout, message="the worker did not finish the asset")


def _stream(probe: dict, kind: str) -> dict:
    return next(s for s in probe["streams"] if s["codec_type"] == kind)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_uploaded_clip_is_processed_by_a_real_worker(celery_worker, tmp_path):
    owner = UserFactory()
    clip = generate_clip(tmp_path / "vlog.mov", seconds=3, width=1280, height=720, fps=50)

    asset = create_asset_from_file(owner=owner, path=clip, filename="Mijn vlog.mov")
    asset = _wait_final(asset.pk)

    assert asset.state == AssetState.READY, celery_worker.log()[-2000:]
    assert (asset.width, asset.height, asset.progress) == (1280, 720, 100)
    preview = asset.renditions.get(kind=RenditionKind.PREVIEW)
    poster = asset.renditions.get(kind=RenditionKind.POSTER)
    assert (preview.width, preview.height, preview.content_type) == (1280, 720, "video/mp4")
    assert poster.content_type == "image/jpeg"
    local = tmp_path / "preview.mp4"
    storage.download_file(preview.key, local)
    probe = ffmpeg.probe(local, "mov")
    video, audio = _stream(probe, "video"), _stream(probe, "audio")
    assert (video["codec_name"], video["pix_fmt"], video["profile"]) == ("h264", "yuv420p", "High")
    assert video["avg_frame_rate"] == "30/1"  # 50 fps capped at 30
    assert (audio["codec_name"], audio["channels"], audio["sample_rate"]) == ("aac", 2, "48000")
    assert abs(float(probe["format"]["duration"]) - 3.0) < 0.2
    # Original kept; outputs readable in the bucket.
    head = storage.s3_client().head_object(Bucket=storage.bucket_name(), Key=asset.original_key)
    assert head["ContentLength"] == clip.stat().st_size
    assert (
        storage.s3_client().head_object(Bucket=storage.bucket_name(), Key=poster.key)["ContentType"]
        == "image/jpeg"
    )


@pytest.mark.django_db
def test_processing_twice_does_no_harm(stored_asset, tmp_path):
    clip = generate_clip(tmp_path / "vlog.mp4", seconds=1, width=320, height=240, audio=False)
    asset = stored_asset(clip)

    first = process_asset(asset_id=asset.pk)
    second = process_asset(asset_id=asset.pk)

    assert first.state == AssetState.READY
    assert second is None
    assert asset.renditions.count() == 4  # preview, poster, thumbnail, storyboard


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (
            b"Dit is gewoon tekst, geen video." * 10,
            "not_a_video",
            (
                "Dit bestand is geen video. Upload een bestand in MP4, MOV, 3GP, WebM, MKV, "
                "AVI, MTS, M2TS, TS of MPG."
            ),
        ),
        (
            b"",
            "unreadable",
            "We kunnen deze video niet lezen. Misschien is het bestand kapot of niet compleet.",
        ),
        (
            b"\x00\x00\x00\x20ftypisom" + b"\x00" * 200,
            "unreadable",
            "We kunnen deze video niet lezen. Misschien is het bestand kapot of niet compleet.",
        ),
    ],
)
def test_bad_files_are_rejected_with_a_dutch_reason(stored_asset, tmp_path, content, code, message):
    path = tmp_path / "vlog.mp4"
    path.write_bytes(content)
    asset = stored_asset(path)

    result = process_asset(asset_id=asset.pk)

    assert (result.state, result.error_code, result.error_message) == (
        AssetState.REJECTED,
        code,
        message,
    )
    assert result.renditions.count() == 0


@pytest.mark.django_db
def test_playlist_dressed_as_video_is_rejected_without_network_access(stored_asset, tmp_path):
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    connections = []

    def accept():
        while not stop.is_set():
            try:
                connections.append(listener.accept())
            except OSError:
                continue

    stop = threading.Event()
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    playlist = f"#EXTM3U\n#EXTINF:10,\nhttp://127.0.0.1:{port}/segment.ts\n#EXT-X-ENDLIST\n"
    path = tmp_path / "vlog.mp4"
    path.write_text(playlist)
    asset = stored_asset(path)

    result = process_asset(asset_id=asset.pk)
    stop.set()
    thread.join()
    listener.close()

    assert (result.state, result.error_code) == (AssetState.REJECTED, "not_a_video")
    assert connections == []
    assert json.dumps(result.probe) == "{}"


@pytest.mark.django_db
def test_web_ready_upload_takes_the_remux_fast_path(stored_asset, tmp_path):
    clip = generate_clip(
        tmp_path / "klaar.mp4",
        seconds=2,
        width=640,
        height=360,
        extra_output_args=("-ac", "2", "-ar", "48000", "-profile:v", "high"),
    )
    asset = stored_asset(clip)

    result = processing.process_asset(asset_id=asset.pk)

    assert result.state == AssetState.READY
    command = result.jobs.get(kind=JobKind.PREVIEW).command
    assert command[command.index("-c") + 1] == "copy"
    assert "libx264" not in command


@pytest.mark.django_db
def test_fast_upload_above_the_preview_size_is_converted(stored_asset, tmp_path):
    clip = generate_clip(tmp_path / "groot.mp4", seconds=1, width=1920, height=1080)
    asset = stored_asset(clip)

    result = processing.process_asset(asset_id=asset.pk)

    command = result.jobs.get(kind=JobKind.PREVIEW).command
    assert command[command.index("-c:v") + 1] == "libx264"
    assert result.renditions.get(kind=RenditionKind.PREVIEW).height == 720


@pytest.mark.django_db
def test_a_conversion_that_breaks_after_the_probe_is_failed_not_rejected(stored_asset, tmp_path):
    clip = generate_clip(
        tmp_path / "heel.mp4",
        seconds=4,
        width=320,
        height=240,
        extra_output_args=("-movflags", "+faststart"),
    )
    cut = tmp_path / "half.mp4"
    cut.write_bytes(clip.read_bytes()[: clip.stat().st_size // 2])  # index intact, media cut

    result = processing.process_asset(asset_id=stored_asset(cut).pk)

    assert (result.state, result.error_code) == (AssetState.FAILED, "conversion_failed")
    assert result.error_message == (
        "Het omzetten van de vlog is niet gelukt. De organisatie kijkt ernaar."
    )
    job = result.jobs.get(kind=JobKind.PREVIEW)
    assert (job.status, job.error_code) == ("failed", "MediaToolError")
