"""Short synthetic clips made with ffmpeg's lavfi sources (demo data, tests, benchmarks)."""

from __future__ import annotations

from pathlib import Path

from media_pipeline import ffmpeg


def generate_clip(
    path: Path,
    *,
    seconds: float = 4,
    width: int = 640,
    height: int = 360,
    fps: int = 25,
    audio: bool = True,
    video_codec: str = "libx264",
    extra_output_args: tuple[str, ...] = (),
    text: str = "",
) -> Path:
    """Write a test-pattern clip (with a 440 Hz tone unless ``audio`` is False) to ``path``."""
    video_filter = f"testsrc2=size={width}x{height}:rate={fps}:duration={seconds}"
    args = [
        ffmpeg.ffmpeg_path(),
        "-hide_banner",
        "-nostdin",
        "-y",
        "-f",
        "lavfi",
        "-i",
        video_filter,
    ]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]
    if text:
        args += ["-metadata", f"title={text}"]
    args += ["-c:v", video_codec, "-pix_fmt", "yuv420p"]
    if video_codec == "libx264":
        args += ["-preset", "ultrafast"]
    if audio:
        args += ["-c:a", "aac", "-b:a", "96k"]
    args += [*extra_output_args, "-shortest", str(path)]
    ffmpeg.run(args, timeout=120 + seconds * 10)
    return path
