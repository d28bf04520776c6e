"""What a probe says about a file, the rules an upload must meet, and the preview profile."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from media_pipeline.ffmpeg import safe_input_args

# Bump when the preview/poster recipe changes so organisers can reprocess older assets.
PROCESSING_VERSION = 1

MAX_LONG_SIDE = 4096
MAX_FPS = 120
PREVIEW_SHORT_SIDE = 720
PREVIEW_MAX_FPS = 30
HDR_TRANSFERS = {"arib-std-b67", "smpte2084"}  # HLG, PQ
# Scale first (cheap at the smaller size), then tone-map to SDR BT.709 in linear light.
TONEMAP_FILTERS = [
    "zscale=t=linear:npl=100",
    "format=gbrpf32le",
    "zscale=p=bt709",
    "tonemap=tonemap=hable:desat=0",
    "zscale=t=bt709:m=bt709:r=tv",
]

REJECTIONS = {
    "not_a_video": _(
        "This file is not a video. Upload an MP4, MOV, 3GP, WebM, MKV, AVI, MTS, M2TS, TS or "
        "MPG file."
    ),
    "unreadable": _("We could not read this video. It may be damaged or incomplete."),
    "no_video_stream": _("This file has no picture. Upload a video, not only sound."),
    "too_long": _(
        "The video is too long (%(duration)s). The maximum is %(limit)s (minutes:seconds)."
    ),
    "too_large_dimensions": _(
        "The picture is too large. The longest side may be %(limit)s pixels."
    ),
    "too_many_fps": _("The frame rate is too high. The maximum is %(limit)s frames per second."),
}


# Failures on our side (organisers can retry); the technical detail stays in the job log.
FAILURES = {
    "timeout": _("Converting the vlog took too long. The organisers will look into it."),
    "conversion_failed": _("Converting the vlog did not work. The organisers will look into it."),
    "attempts_exhausted": _(
        "Converting the vlog did not work after several tries. The organisers will look into it."
    ),
}


def minutes_seconds(seconds) -> str:
    """127 → '2:07'."""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


class Rejected(Exception):
    """The upload breaks a rule the entrant can fix. ``code`` is a key of REJECTIONS."""

    def __init__(self, code: str, **params) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        return str(REJECTIONS[self.code]) % self.params


@dataclass(frozen=True)
class VideoFacts:
    duration: Decimal
    width: int  # display width (rotation applied)
    height: int
    fps: Fraction
    video_codec: str
    has_audio: bool
    hdr: bool = False  # HLG or PQ transfer: tone-map to SDR BT.709
    web_ready: bool = False  # plays in every browser as it is: remux instead of converting


def _rotation(stream: dict) -> int:
    for side in stream.get("side_data_list", []):
        if "rotation" in side:
            return int(side["rotation"]) % 360
    return int(stream.get("tags", {}).get("rotate", 0)) % 360


def analyse(probe: dict, *, max_duration_seconds: int) -> VideoFacts:
    """Apply the rules to ffprobe's JSON. Raises Rejected with a code and a Dutch message."""
    streams = probe.get("streams", [])
    videos = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
    ]
    if not videos:
        raise Rejected("no_video_stream")
    video = videos[0]
    duration = Decimal(str(probe.get("format", {}).get("duration") or video.get("duration") or 0))
    if duration <= 0:
        raise Rejected("unreadable")
    if duration > max_duration_seconds:
        raise Rejected(
            "too_long",
            duration=minutes_seconds(duration),
            limit=minutes_seconds(max_duration_seconds),
        )
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    if not width or not height:
        raise Rejected("unreadable")
    if _rotation(video) in (90, 270):
        width, height = height, width
    if max(width, height) > MAX_LONG_SIDE:
        raise Rejected("too_large_dimensions", limit=MAX_LONG_SIDE)
    fps = _fps(video)
    if fps > MAX_FPS:
        raise Rejected("too_many_fps", limit=MAX_FPS)
    return VideoFacts(
        duration=duration.quantize(Decimal("0.001")),
        width=width,
        height=height,
        fps=fps,
        video_codec=video.get("codec_name", ""),
        has_audio=any(s.get("codec_type") == "audio" for s in streams),
        hdr=video.get("color_transfer") in HDR_TRANSFERS,
        web_ready=_web_ready(probe, video, width, height, fps),
    )


WEB_READY_PROFILES = {"Constrained Baseline", "Baseline", "Main", "High"}
WEB_READY_MAX_BITRATE = 4_000_000


def _web_ready(probe: dict, video: dict, width: int, height: int, fps: Fraction) -> bool:
    """H.264 8-bit 4:2:0 upright SDR within the preview's size, frame rate and bitrate, with
    AAC stereo 48 kHz audio or none: a remux with +faststart is all it needs."""
    audio = next((s for s in probe.get("streams", []) if s.get("codec_type") == "audio"), None)
    bitrate = int(probe.get("format", {}).get("bit_rate") or 0)
    return (
        video.get("codec_name") == "h264"
        and video.get("pix_fmt") == "yuv420p"
        and video.get("profile") in WEB_READY_PROFILES
        and _rotation(video) == 0
        and video.get("color_transfer") not in HDR_TRANSFERS
        and min(width, height) <= PREVIEW_SHORT_SIDE
        and 0 < fps <= PREVIEW_MAX_FPS
        and 0 < bitrate <= WEB_READY_MAX_BITRATE
        and (
            audio is None
            or (audio.get("codec_name"), audio.get("channels"), audio.get("sample_rate"))
            == ("aac", 2, "48000")
        )
    )


def _fps(stream: dict) -> Fraction:
    for key in ("avg_frame_rate", "r_frame_rate"):
        value = stream.get(key, "0/0")
        num, _, den = value.partition("/")
        if den and int(den):
            return Fraction(int(num), int(den))
    return Fraction(0)


def preview_size(facts: VideoFacts) -> tuple[int, int]:
    """Short side at most 720 px, never upscaled, both sides even, orientation kept."""
    short, long_ = sorted((facts.width, facts.height))
    scale = min(Fraction(1), Fraction(PREVIEW_SHORT_SIDE, short))
    new_short = int(short * scale) // 2 * 2
    new_long = round(long_ * scale) // 2 * 2
    return (new_long, new_short) if facts.width >= facts.height else (new_short, new_long)


def preview_args(src: Path, demuxer: str, dst: Path, facts: VideoFacts) -> list[str]:
    """ffmpeg arguments (without the binary) for the web preview: H.264 High 8-bit 4:2:0,
    AAC stereo 48 kHz loudness-normalised, 2-second keyframes, no metadata, +faststart."""
    width, height = preview_size(facts)
    filters = [f"scale={width}:{height}:flags=bicubic"]
    if facts.fps > PREVIEW_MAX_FPS:
        filters.insert(0, f"fps={PREVIEW_MAX_FPS}")
    if facts.hdr:
        filters += TONEMAP_FILTERS
    filters.append("format=yuv420p")
    args = [
        "-hide_banner",
        "-nostdin",
        "-y",
        *safe_input_args(src, demuxer),
        "-map",
        "0:v:0",
        "-map",
        "0:a:0?",
        "-vf",
        ",".join(filters),
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "23",
        "-maxrate",
        "3M",
        "-bufsize",
        "6M",
        "-profile:v",
        "high",
        "-level:v",
        "4.1",
        "-force_key_frames",
        "expr:gte(t,n_forced*2)",
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-ac",
        "2",
        "-ar",
        "48000",
        "-af",
        "loudnorm=I=-23:TP=-1:LRA=11",
        "-color_primaries",
        "bt709",
        "-color_trc",
        "bt709",
        "-colorspace",
        "bt709",
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        "-movflags",
        "+faststart",
        "-progress",
        "pipe:1",
        "-nostats",
        f"file:{dst}",
    ]
    return args


def remux_args(src: Path, demuxer: str, dst: Path) -> list[str]:
    """The fast path: copy the streams of a web-ready source into an MP4 with +faststart."""
    return [
        "-hide_banner",
        "-nostdin",
        "-y",
        *safe_input_args(src, demuxer),
        "-map",
        "0:v:0",
        "-map",
        "0:a:0?",
        "-c",
        "copy",
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        "-movflags",
        "+faststart",
        f"file:{dst}",
    ]


def poster_moment(chosen: Decimal | None, duration: Decimal) -> Decimal:
    """The entrant's chosen moment when it lies inside the video, else a frame near the start."""
    if chosen is not None and 0 <= chosen < duration:
        return chosen
    return min(Decimal("1.0"), duration / 3)


def poster_args(preview: Path, dst: Path, at_seconds: Decimal) -> list[str]:
    """A JPEG frame from the (upright, SDR) preview."""
    return [
        "-hide_banner",
        "-nostdin",
        "-y",
        "-ss",
        f"{at_seconds:.3f}",
        *safe_input_args(preview, "mov"),
        "-frames:v",
        "1",
        "-q:v",
        "3",
        "-map_metadata",
        "-1",
        f"file:{dst}",
    ]


THUMBNAIL_WIDTH = 320
STORYBOARD_TILE_WIDTH = 160
STORYBOARD_COLUMNS = 10
STORYBOARD_MAX_FRAMES = 100


def thumbnail_args(poster: Path, dst: Path) -> list[str]:
    """A small JPEG of the poster for lists."""
    return [
        "-hide_banner",
        "-nostdin",
        "-y",
        *safe_input_args(poster, "image2"),
        "-vf",
        f"scale={THUMBNAIL_WIDTH}:-2",
        "-q:v",
        "4",
        f"file:{dst}",
    ]


@dataclass(frozen=True)
class Storyboard:
    interval: Decimal  # seconds between frames
    frames: int
    tile_width: int
    tile_height: int
    columns: int = STORYBOARD_COLUMNS

    @property
    def rows(self) -> int:
        return -(-self.frames // self.columns)


def storyboard_plan(facts: VideoFacts) -> Storyboard:
    """One frame every 2 s, or fewer for long videos (at most 100 frames)."""
    interval = max(Decimal(2), (facts.duration / STORYBOARD_MAX_FRAMES).quantize(Decimal("0.1")))
    frames = max(1, int(facts.duration // interval))
    tile_height = round(STORYBOARD_TILE_WIDTH * facts.height / facts.width / 2) * 2
    return Storyboard(interval, frames, STORYBOARD_TILE_WIDTH, tile_height)


def storyboard_args(preview: Path, dst: Path, plan: Storyboard) -> list[str]:
    """A sprite sheet of frames from the preview, ``plan.columns`` per row."""
    video_filter = (
        f"fps=1/{plan.interval},scale={plan.tile_width}:{plan.tile_height},"
        f"tile={plan.columns}x{plan.rows}"
    )
    return [
        "-hide_banner",
        "-nostdin",
        "-y",
        *safe_input_args(preview, "mov"),
        "-vf",
        video_filter,
        "-frames:v",
        "1",
        "-q:v",
        "5",
        f"file:{dst}",
    ]


def storyboard_vtt(plan: Storyboard, sprite_url: str) -> str:
    """The WebVTT index: one cue per frame pointing at its tile in the sprite."""
    lines = ["WEBVTT", ""]
    for i in range(plan.frames):
        start, end = plan.interval * i, plan.interval * (i + 1)
        x, y = (i % plan.columns) * plan.tile_width, (i // plan.columns) * plan.tile_height
        lines += [
            f"{_vtt_time(start)} --> {_vtt_time(end)}",
            f"{sprite_url}#xywh={x},{y},{plan.tile_width},{plan.tile_height}",
            "",
        ]
    return "\n".join(lines)


def _vtt_time(seconds: Decimal) -> str:
    millis = int(seconds * 1000)
    hours, minutes = millis // 3_600_000, millis // 60_000 % 60
    return f"{hours:02d}:{minutes:02d}:{millis // 1000 % 60:02d}.{millis % 1000:03d}"


def timeout_for(duration: Decimal) -> float:
    """Wall-clock limit for one ffmpeg run: generous, but finite."""
    return 120 + float(duration) * 6


def task_time_limit(max_duration_seconds: int) -> int:
    """Hard limit for a whole processing task (transfers plus every ffmpeg run), a backstop
    behind the per-run timeouts; the lease lets another worker take over after it."""
    return int(4 * timeout_for(Decimal(max_duration_seconds))) + 600
