"""A matrix of real-world clips through the whole service: probe, rules, preview.

Every clip is made here with ffmpeg's lavfi sources (short and small), stored in SeaweedFS and
processed with ``process_asset``; accepted ones have their preview downloaded and probed."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import requests

from media_pipeline import ffmpeg, storage, uploads
from media_pipeline.enums import AssetState, RenditionKind
from media_pipeline.processing import process_asset
from media_pipeline.selectors import original_download_url
from tests.factories import UserFactory

pytestmark = [pytest.mark.storage, pytest.mark.media]

X264 = ("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
HDR_TRANSFERS = {"arib-std-b67", "smpte2084"}


# --- Making clips ---------------------------------------------------------------------------


def _ffmpeg(*args: str | Path) -> None:
    ffmpeg.run(
        [ffmpeg.ffmpeg_path(), "-hide_banner", "-nostdin", "-v", "error", "-y", *map(str, args)],
        timeout=60,
    )


def _picture(width: int, height: int, seconds: float, rate: int = 25) -> tuple[str, ...]:
    return ("-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={rate}:duration={seconds}")


def _tone(seconds: float) -> tuple[str, ...]:
    return ("-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}")


@cache
def _encoders() -> frozenset[str]:
    out = ffmpeg.run([ffmpeg.ffmpeg_path(), "-hide_banner", "-encoders"], timeout=30).stdout
    return frozenset(line.split()[1] for line in out.splitlines() if len(line.split()) > 1)


def _require_encoders(*names: str) -> None:
    missing = [name for name in names if name not in _encoders()]
    if missing:
        pytest.skip(f"this ffmpeg build has no {', '.join(missing)} encoder")


def _portrait_phone(tmp: Path) -> Path:
    """A phone clip: landscape pixels plus a display matrix saying 'turn 90°'."""
    landscape = tmp / "landscape.mp4"
    _ffmpeg(*_picture(320, 180, 2), *_tone(2), *X264, "-c:a", "aac", "-shortest", landscape)
    out = tmp / "portrait.mp4"
    _ffmpeg("-display_rotation", "90", "-i", landscape, "-c", "copy", out)
    return out


def _hlg_hevc(tmp: Path) -> Path:
    _require_encoders("libx265")
    out = tmp / "hdr.mp4"
    _ffmpeg(
        *_picture(320, 180, 2),
        *_tone(2),
        "-c:v",
        "libx265",
        "-preset",
        "ultrafast",
        "-x265-params",
        "log-level=error",
        "-pix_fmt",
        "yuv420p10le",
        "-color_primaries",
        "bt2020",
        "-color_trc",
        "arib-std-b67",
        "-colorspace",
        "bt2020nc",
        "-tag:v",
        "hvc1",
        "-c:a",
        "aac",
        "-shortest",
        out,
    )
    return out


def _variable_frame_rate(tmp: Path) -> Path:
    """Frames 10 to 20 dropped and the rest jittered by up to 20 ms."""
    out = tmp / "vfr.mp4"
    jitter = "select='not(between(n,10,20))',settb=1/1000,setpts='PTS+random(0)*0.02/TB'"
    _ffmpeg(
        *_picture(320, 240, 2),
        *_tone(2),
        "-vf",
        jitter,
        "-fps_mode",
        "vfr",
        *X264,
        "-c:a",
        "aac",
        "-shortest",
        out,
    )
    video = _streams(ffmpeg.probe(out, "mov"), "video")[0]
    assert video["avg_frame_rate"] != video["r_frame_rate"], "the clip came out constant-rate"
    return out


def _silent(tmp: Path) -> Path:
    out = tmp / "silent.mp4"
    _ffmpeg(*_picture(320, 240, 2), *X264, out)
    return out


def _surround(tmp: Path) -> Path:
    out = tmp / "surround.mp4"
    _ffmpeg(
        *_picture(320, 240, 2),
        *_tone(2),
        "-af",
        "aformat=channel_layouts=5.1",
        *X264,
        "-c:a",
        "aac",
        "-shortest",
        out,
    )
    audio = _streams(ffmpeg.probe(out, "mov"), "audio")[0]
    assert (audio["channels"], audio["channel_layout"]) == (6, "5.1")
    return out


def _odd_dimensions(tmp: Path) -> Path:
    """321x241 (testsrc2 itself rounds to even sizes, hence the scale; 4:4:4 allows odd)."""
    out = tmp / "odd.mp4"
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x240:rate=25:duration=2,scale=321:241",
        *_tone(2),
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv444p",
        "-c:a",
        "aac",
        "-shortest",
        out,
    )
    video = _streams(ffmpeg.probe(out, "mov"), "video")[0]
    assert (video["width"], video["height"]) == (321, 241)
    return out


def _webm(tmp: Path) -> Path:
    _require_encoders("libvpx-vp9", "libopus")
    out = tmp / "vlog.webm"
    _ffmpeg(
        *_picture(320, 180, 2),
        *_tone(2),
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-b:v",
        "200k",
        "-c:a",
        "libopus",
        "-shortest",
        out,
    )
    return out


def _mpegts(tmp: Path) -> Path:
    """A transport stream (188-byte packets) with H.264 and AAC, as from a TV recorder."""
    out = tmp / "opname.ts"
    _ffmpeg(
        *_picture(320, 240, 2), *_tone(2), *X264, "-c:a", "aac", "-shortest", "-f", "mpegts", out
    )
    assert ffmpeg.sniff_container(out.read_bytes()[: ffmpeg.SNIFF_BYTES]) == "mpegts"
    return out


def _m2ts(tmp: Path) -> Path:
    """An AVCHD camcorder file: 192-byte packets (a timestamp before each 0x47)."""
    out = tmp / "00001.MTS"
    _ffmpeg(
        *_picture(320, 240, 2),
        *_tone(2),
        *X264,
        "-c:a",
        "aac",
        "-shortest",
        "-f",
        "mpegts",
        "-mpegts_m2ts_mode",
        "1",
        out,
    )
    assert ffmpeg.sniff_container(out.read_bytes()[: ffmpeg.SNIFF_BYTES]) == "m2ts"
    return out


def _mpeg_ps(tmp: Path) -> Path:
    """An MPEG-2 program stream as on a DVD: MPEG-2 video, MPEG audio layer II."""
    out = tmp / "dvd.mpg"
    _ffmpeg(
        *_picture(320, 240, 2),
        *_tone(2),
        "-c:v",
        "mpeg2video",
        "-c:a",
        "mp2",
        "-shortest",
        "-f",
        "vob",
        out,
    )
    assert ffmpeg.sniff_container(out.read_bytes()[: ffmpeg.SNIFF_BYTES]) == "mpeg-ps"
    return out


def _audio_only(tmp: Path) -> Path:
    m4a = tmp / "voice.m4a"
    _ffmpeg(*_tone(2), "-c:a", "aac", m4a)
    return m4a.rename(tmp / "vlog.mp4")


def _truncated(tmp: Path) -> Path:
    """The first half of an mp4 whose moov box comes last (no +faststart): no index at all."""
    full = tmp / "full.mp4"
    _ffmpeg(*_picture(320, 240, 2), *_tone(2), *X264, "-c:a", "aac", "-shortest", full)
    data = full.read_bytes()
    assert data.rfind(b"moov") > len(data) // 2
    out = tmp / "vlog.mp4"
    out.write_bytes(data[: len(data) // 2])
    return out


def _too_wide(tmp: Path) -> Path:
    out = tmp / "wide.mp4"
    _ffmpeg(*_picture(4100, 64, 1), *X264, out)
    return out


# --- Checking -------------------------------------------------------------------------------


def _streams(probe: dict, kind: str) -> list[dict]:
    return [s for s in probe.get("streams", []) if s.get("codec_type") == kind]


def _rotation(stream: dict) -> int:
    for side in stream.get("side_data_list", []):
        if "rotation" in side:
            return int(side["rotation"]) % 360
    return int(stream.get("tags", {}).get("rotate", 0)) % 360


# --- Tests ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "size", "has_audio"),
    [
        pytest.param(_portrait_phone, (180, 320), True, id="portrait_rotation_metadata"),
        pytest.param(_hlg_hevc, (320, 180), True, id="hevc_10bit_hlg"),
        pytest.param(_variable_frame_rate, (320, 240), True, id="variable_frame_rate"),
        pytest.param(_silent, (320, 240), False, id="no_audio"),
        pytest.param(_surround, (320, 240), True, id="surround_5_1"),
        pytest.param(_odd_dimensions, (320, 240), True, id="odd_321x241"),
        pytest.param(_webm, (320, 180), True, id="webm_vp9_opus"),
        pytest.param(_mpegts, (320, 240), True, id="mpegts_h264_aac"),
        pytest.param(_m2ts, (320, 240), True, id="m2ts_avchd_h264_aac"),
        pytest.param(_mpeg_ps, (320, 240), True, id="mpeg_ps_mpeg2_mp2"),
    ],
)
def test_clip_is_ready_with_web_preview(stored_asset, tmp_path, make, size, has_audio):
    source = make(tmp_path)
    source_duration = float(ffmpeg.probe(source, ffmpeg.sniff_file(source))["format"]["duration"])
    asset = stored_asset(source)

    result = process_asset(asset_id=asset.pk)

    assert (result.state, result.error_code) == (AssetState.READY, ""), result.error_message
    rendition = result.renditions.get(kind=RenditionKind.PREVIEW)
    assert (rendition.width, rendition.height) == size
    local = tmp_path / "preview.mp4"
    storage.download_file(rendition.key, local)
    probe = ffmpeg.probe(local, "mov")
    [video] = _streams(probe, "video")
    assert (video["codec_name"], video["pix_fmt"]) == ("h264", "yuv420p")
    assert (video["width"], video["height"], _rotation(video)) == (*size, 0)
    audio = _streams(probe, "audio")
    if has_audio:
        assert [(a["codec_name"], a["channels"], a["sample_rate"]) for a in audio] == [
            ("aac", 2, "48000")
        ]
    else:
        assert audio == []
    assert abs(float(probe["format"]["duration"]) - source_duration) <= 0.2
    assert video.get("color_transfer") not in HDR_TRANSFERS


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "browser_type", "extension", "content_type"),
    [
        pytest.param(_mpegts, "text/vnd.trolltech.linguist", ".ts", "video/mp2t", id="ts"),
        pytest.param(_m2ts, "model/vnd.mts", ".m2ts", "video/mp2t", id="mts_avchd"),
        pytest.param(_mpeg_ps, "video/mpeg", ".mpg", "video/mpeg", id="mpg"),
    ],
)
def test_camcorder_and_mpeg_uploads_are_taken_and_become_ready(
    s3_server, tmp_path, make, browser_type, extension, content_type
):
    """The browser's upload path: its (often odd) type for the name is taken, the bytes read
    on completion are enough to see the container, the organiser's download is named from
    it, and the worker makes the preview."""
    source = make(tmp_path)
    data = source.read_bytes()
    asset = uploads.start_upload(
        owner=UserFactory(),
        filename=source.name,
        size=len(data),
        content_type=browser_type,
        max_bytes=100 * uploads.MiB,
        max_duration_seconds=300,
    )
    storage.s3_client().upload_part(
        Bucket=storage.bucket_name(),
        Key=asset.original_key,
        UploadId=asset.multipart_upload_id,
        PartNumber=1,
        Body=data,
    )

    completed = uploads.complete_upload(asset=asset)

    assert (completed.state, completed.error_code) == (AssetState.UPLOADED, "")
    download = requests.get(original_download_url(completed), timeout=10)
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="vlog-{asset.uid}{extension}"'
    )
    assert download.headers["Content-Type"] == content_type
    assert download.content == data
    result = process_asset(asset_id=asset.pk)
    assert (result.state, result.error_code) == (AssetState.READY, ""), result.error_message
    assert result.renditions.filter(kind=RenditionKind.PREVIEW).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "code"),
    [
        pytest.param(_audio_only, "no_video_stream", id="audio_only_m4a_as_mp4"),
        pytest.param(_truncated, "unreadable", id="truncated_moov_at_end"),
        pytest.param(_too_wide, "too_large_dimensions", id="long_side_4100"),
    ],
)
def test_clip_is_rejected_with_code(stored_asset, tmp_path, make, code):
    asset = stored_asset(make(tmp_path))

    result = process_asset(asset_id=asset.pk)

    assert (result.state, result.error_code) == (AssetState.REJECTED, code)
    assert result.error_message
    assert result.renditions.count() == 0


@pytest.mark.django_db
def test_clip_over_the_limit_is_rejected_as_too_long(stored_asset, tmp_path):
    clip = tmp_path / "long.mp4"
    _ffmpeg(*_picture(160, 90, 3), *X264, clip)
    asset = stored_asset(clip, max_duration_seconds=2)

    result = process_asset(asset_id=asset.pk)

    assert (result.state, result.error_code) == (AssetState.REJECTED, "too_long")
    assert result.error_message == (
        "De video is te lang (0:03). Het maximum is 0:02 (minuten:seconden)."
    )
    assert result.renditions.count() == 0
