import time
from decimal import Decimal
from fractions import Fraction

import pytest

from media_pipeline import ffmpeg
from media_pipeline.clips import generate_clip
from media_pipeline.profile import Rejected, VideoFacts, analyse, preview_size


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "mov"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "mov"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01", "matroska"),
        (b"RIFF\x24\x00\x00\x00AVI LIST", "avi"),
        (b"#EXTM3U\n#EXT-X-VERSION:3\n", None),
        (b"ffconcat version 1.0\n", None),
        (b"hello, this is text", None),
        (b"", None),
    ],
)
def test_sniff_demuxer(head, expected):
    assert ffmpeg.sniff_demuxer(head) == expected


def test_run_kills_the_whole_process_group_on_timeout(tmp_path):
    marker = tmp_path / "child-survived"
    script = f"(sleep 2; touch {marker}) & sleep 30"
    started = time.monotonic()

    with pytest.raises(ffmpeg.MediaToolError) as caught:
        ffmpeg.run(["sh", "-c", script], timeout=0.5)

    assert caught.value.timed_out is True
    assert time.monotonic() - started < 5
    time.sleep(2.5)
    assert not marker.exists()


def test_run_reports_exit_code_and_stderr_tail():
    with pytest.raises(ffmpeg.MediaToolError) as caught:
        ffmpeg.run(["sh", "-c", "echo broken input >&2; exit 3"], timeout=10)

    assert str(caught.value) == "sh exited with 3"
    assert caught.value.log_tail == "broken input\n"
    assert caught.value.timed_out is False


def _probe(streams, duration="10.0"):
    return {"format": {"duration": duration}, "streams": streams}


VIDEO = {"codec_type": "video", "codec_name": "h264", "width": 1920, "height": 1080,
         "avg_frame_rate": "30/1"}  # fmt: skip


@pytest.mark.parametrize(
    ("probe", "code"),
    [
        (_probe([{"codec_type": "audio", "codec_name": "aac"}]), "no_video_stream"),
        (_probe([{**VIDEO, "disposition": {"attached_pic": 1}}]), "no_video_stream"),
        (_probe([VIDEO], duration="301"), "too_long"),
        (_probe([VIDEO], duration="0"), "unreadable"),
        (_probe([{**VIDEO, "width": 4098, "height": 2160}]), "too_large_dimensions"),
        (_probe([{**VIDEO, "avg_frame_rate": "240/1"}]), "too_many_fps"),
    ],
)
def test_analyse_rejects(probe, code):
    with pytest.raises(Rejected) as caught:
        analyse(probe, max_duration_seconds=300)
    assert caught.value.code == code


def test_rejection_message_is_dutch_with_the_limit():
    with pytest.raises(Rejected) as caught:
        analyse(_probe([VIDEO], duration="400"), max_duration_seconds=300)
    assert caught.value.message == (
        "De video is te lang (6:40). Het maximum is 5:00 (minuten:seconden)."
    )


def test_analyse_applies_rotation_to_display_size():
    rotated = {**VIDEO, "side_data_list": [{"side_data_type": "Display Matrix", "rotation": -90}]}

    facts = analyse(_probe([rotated]), max_duration_seconds=300)

    assert (facts.width, facts.height, facts.fps) == (1080, 1920, Fraction(30))


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((1920, 1080), (1280, 720)),
        ((1080, 1920), (720, 1280)),
        ((640, 360), (640, 360)),  # never upscaled
        ((641, 361), (640, 360)),  # even sides
        ((3840, 2160), (1280, 720)),
    ],
)
def test_preview_size(size, expected):
    facts = VideoFacts(Decimal(5), size[0], size[1], Fraction(30), "h264", True)
    assert preview_size(facts) == expected


@pytest.mark.media
def test_probe_of_generated_clip(tmp_path):
    clip = generate_clip(tmp_path / "clip.mp4", seconds=2, width=320, height=240)

    facts = analyse(ffmpeg.probe(clip, "mov"), max_duration_seconds=300)

    assert (facts.width, facts.height, facts.video_codec, facts.has_audio) == (
        320, 240, "h264", True,
    )  # fmt: skip
    assert abs(facts.duration - Decimal(2)) < Decimal("0.1")


def test_a_silent_hung_process_is_killed_while_streaming():
    started = time.monotonic()
    lines = []

    with pytest.raises(ffmpeg.MediaToolError) as caught:
        ffmpeg.run(["sh", "-c", "echo first; sleep 30"], timeout=1, on_progress_line=lines.append)

    assert caught.value.timed_out is True
    assert lines == ["first"]
    assert time.monotonic() - started < 5
