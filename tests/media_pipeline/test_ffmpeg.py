import os
import time
from decimal import Decimal
from fractions import Fraction

import pytest

from media_pipeline import ffmpeg
from media_pipeline.clips import generate_clip
from media_pipeline.profile import Rejected, VideoFacts, analyse, preview_size
from media_pipeline.uploads import UploadError, check_file


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


def _packets(size: int, count: int, *, sync_at: int = 0, skip: frozenset[int] = frozenset()):
    """``count`` packets of ``size`` bytes of zeros with the 0x47 sync byte at ``sync_at``,
    except in the packets numbered in ``skip``."""
    packets = []
    for n in range(count):
        packet = bytearray(size)
        if n not in skip:
            packet[sync_at] = 0x47
        packets.append(bytes(packet))
    return b"".join(packets)


TS = _packets(188, 5)
M2TS = _packets(192, 5, sync_at=4)
MPEG2_PS = b"\x00\x00\x01\xba\x44\x00\x04\x00\x04\x01\x01\x89\xc3\xf8" + bytes(50)
MPEG1_PS = b"\x00\x00\x01\xba\x21\x00\x01\x00\x01\x80\x1b\x91" + bytes(50)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        pytest.param(TS, "mpegts", id="ts_188"),
        pytest.param(TS[:565], "mpegts", id="ts_just_four_packets"),
        pytest.param(M2TS, "mpegts", id="m2ts_192"),
        pytest.param(M2TS[:581], "mpegts", id="m2ts_just_four_packets"),
        pytest.param(MPEG2_PS, "mpeg", id="mpeg2_ps"),
        pytest.param(MPEG1_PS, "mpeg", id="mpeg1_ps"),
        pytest.param(b"G" + bytes(1023), None, id="ts_sync_byte_once"),
        pytest.param(_packets(188, 5, skip=frozenset({2})), None, id="ts_no_sync_at_376"),
        pytest.param(_packets(188, 5, skip=frozenset({1})), None, id="ts_no_sync_at_188"),
        pytest.param(_packets(188, 5, skip=frozenset({3})), None, id="ts_no_sync_at_564"),
        pytest.param(TS[:564], None, id="ts_three_packets_only"),
        pytest.param(TS[:16], None, id="ts_first_16_bytes_only"),
        pytest.param(_packets(192, 5, sync_at=4, skip=frozenset({2})), None, id="m2ts_gap"),
        pytest.param(_packets(192, 5), None, id="sync_every_192_at_0"),
        pytest.param(_packets(188, 5, sync_at=4), None, id="sync_every_188_at_4"),
        pytest.param(_packets(204, 5), None, id="ts_204_byte_packets"),
        pytest.param(b"Gewoon een tekstbestand, geen video. " * 30, None, id="text_with_g"),
        pytest.param(b"\x00\x00\x01\xba", None, id="ps_pack_code_only"),
        pytest.param(b"\x00\x00\x01\xba\x00" + bytes(50), None, id="ps_bad_marker_bits"),
        pytest.param(b"\x00\x00\x01\xb3\x14\x00\xf0\x13" + bytes(50), None, id="mpeg_video_es"),
        pytest.param(b"\x00\x00\x01\xe0\x00\x00\x80\x00" + bytes(50), None, id="pes_no_pack"),
    ],
)
def test_sniff_demuxer_mpeg_streams(head, expected):
    assert ffmpeg.sniff_demuxer(head) == expected


def test_sniff_bytes_cover_four_m2ts_packets():
    assert ffmpeg.SNIFF_BYTES >= 4 * 192 + 4
    assert ffmpeg.sniff_demuxer(M2TS[: ffmpeg.SNIFF_BYTES]) == "mpegts"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (TS, (".ts", "video/mp2t")),
        (M2TS, (".m2ts", "video/mp2t")),
        (MPEG2_PS, (".mpg", "video/mpeg")),
        (MPEG1_PS, (".mpg", "video/mpeg")),
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", (".mp4", "video/mp4")),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", (".mov", "video/quicktime")),
        (b"RIFF\x24\x00\x00\x00AVI LIST", (".avi", "video/x-msvideo")),
        (b"G" + bytes(1023), (".mp4", "video/mp4")),  # not a video: MP4, as before
    ],
)
def test_download_type(head, expected):
    assert ffmpeg.download_type(head) == expected


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("00001.MTS", "model/vnd.mts"),  # /etc/mime.types: the IANA 3D-model type
        ("00001.MTS", "video/vnd.dlna.mpeg-tts"),  # Windows
        ("00001.m2ts", "video/mp2t"),
        ("opname.ts", "text/vnd.trolltech.linguist"),  # a Qt translation file on Linux
        ("opname.ts", "application/typescript"),
        ("opname.m2t", ""),
        ("dvd.mpg", "video/mpeg"),
        ("dvd.MPEG", "application/octet-stream"),
    ],
)
def test_upload_check_takes_camcorder_and_mpeg_files(filename, content_type):
    check_file(filename=filename, size=1000, content_type=content_type, max_bytes=10_000)


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("vlog.mp4", "model/vnd.mts"),  # a mislabel counts only for its own extension
        ("script.js", "application/typescript"),
        ("opname.ts", "text/html"),
        ("opname.tsx", "video/mp2t"),
        ("dvd.vob", "video/mpeg"),
    ],
)
def test_upload_check_refuses_other_files(filename, content_type):
    with pytest.raises(UploadError) as caught:
        check_file(filename=filename, size=1000, content_type=content_type, max_bytes=10_000)
    assert caught.value.code == "wrong_type"
    assert str(caught.value) == (
        "Dit bestand is geen video. Upload een bestand in MP4, MOV, 3GP, WebM, MKV, AVI, MTS, "
        "M2TS, TS of MPG."
    )


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


VIDEO = {
    "codec_type": "video",
    "codec_name": "h264",
    "width": 1920,
    "height": 1080,
    "avg_frame_rate": "30/1",
}


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
        320,
        240,
        "h264",
        True,
    )
    assert abs(facts.duration - Decimal(2)) < Decimal("0.1")


def test_media_tools_run_without_the_gconv_cache(monkeypatch):
    """A static build crashed on every MPEG-TS with a service name when its glibc read the
    host's gconv-modules.cache; GCONV_PATH makes glibc skip it. An operator's value stays."""
    show = ["sh", "-c", 'printf %s "$GCONV_PATH"']
    monkeypatch.delenv("GCONV_PATH", raising=False)
    assert ffmpeg.run(show, timeout=10).stdout == os.devnull

    monkeypatch.setenv("GCONV_PATH", "/opt/gconv")
    assert ffmpeg.run(show, timeout=10).stdout == "/opt/gconv"


@pytest.mark.media
@pytest.mark.parametrize(
    ("video_codec", "output_args", "demuxer", "download", "from_16_bytes"),
    [
        ("libx264", ("-f", "mpegts"), "mpegts", (".ts", "video/mp2t"), None),
        (
            "libx264",
            ("-f", "mpegts", "-mpegts_m2ts_mode", "1"),
            "mpegts",
            (".m2ts", "video/mp2t"),
            None,
        ),
        ("mpeg2video", ("-c:a", "mp2", "-f", "vob"), "mpeg", (".mpg", "video/mpeg"), "mpeg"),
        ("mpeg1video", ("-c:a", "mp2", "-f", "mpeg"), "mpeg", (".mpg", "video/mpeg"), "mpeg"),
    ],
)
def test_sniff_and_probe_of_generated_mpeg_streams(
    tmp_path, video_codec, output_args, demuxer, download, from_16_bytes
):
    clip = generate_clip(
        tmp_path / "clip",
        seconds=1,
        width=320,
        height=240,
        video_codec=video_codec,
        extra_output_args=output_args,
    )
    head = clip.read_bytes()[: ffmpeg.SNIFF_BYTES]

    assert (ffmpeg.sniff_file(clip), ffmpeg.download_type(head)) == (demuxer, download)
    # The 16 bytes read before are too few for a transport stream (not for a pack header).
    assert ffmpeg.sniff_demuxer(head[:16]) == from_16_bytes
    facts = analyse(ffmpeg.probe(clip, demuxer), max_duration_seconds=300)
    assert (facts.width, facts.height, facts.video_codec, facts.has_audio) == (
        320,
        240,
        video_codec.removeprefix("lib").replace("x264", "h264"),
        True,
    )


def test_a_silent_hung_process_is_killed_while_streaming():
    started = time.monotonic()
    lines = []

    with pytest.raises(ffmpeg.MediaToolError) as caught:
        ffmpeg.run(["sh", "-c", "echo first; sleep 30"], timeout=1, on_progress_line=lines.append)

    assert caught.value.timed_out is True
    assert lines == ["first"]
    assert time.monotonic() - started < 5
