"""Media pipeline overhead and fast path, measured in one run.

    .venv/bin/python benchmarks/transcode.py [--seconds 60]

(a) the whole pipeline for a 1080p30 clip (S3 download, probe, preview, poster, S3 upload)
against (b) bare ffmpeg with the identical preview arguments on the local file: ratio target
<= 1.10. Then the fast path (remux) for a web-ready clip against a full conversion of the same
clip: target <= 0.1. Uses a throwaway SQLite database and its own SeaweedFS.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-transcode-"))
    os.environ.update(
        VAR_DIR=str(work / "var"),
        DATABASE_URL="",
        CELERY_BROKER_URL="filesystem://",
        DJANGO_SETTINGS_MODULE="config.settings",
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("S3_ENDPOINT_URL", None)

    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import override_settings

    from media_pipeline import ffmpeg, storage
    from media_pipeline.clips import generate_clip
    from media_pipeline.profile import analyse, preview_args
    from ops.seaweedfs import EmbeddedS3

    s3 = EmbeddedS3(data_dir=work / "s3", access_key="bench", secret_key="bench-secret-key")
    s3.start()
    try:
        with override_settings(
            **storage.settings_for_server(
                endpoint_url=s3.endpoint_url,
                access_key="bench",
                secret_key="bench-secret-key",
                bucket="bench",
            )
        ):
            storage.ensure_bucket()
            call_command("migrate", verbosity=0)
            from common.models import User
            from media_pipeline.models import MediaAsset
            from media_pipeline.processing import process_asset

            owner = User.objects.create_user("bench@example.org")

            def pipeline(path: Path) -> tuple[float, MediaAsset]:
                asset = MediaAsset(owner=owner, state="uploaded", max_duration_seconds=3600)
                asset.original_key = f"originals/{asset.uid}"
                storage.upload_file(path, asset.original_key, content_type="video/mp4")
                asset.save()
                started = time.perf_counter()
                result = process_asset(asset_id=asset.pk)
                return time.perf_counter() - started, result

            def bare(path: Path) -> float:
                facts = analyse(ffmpeg.probe(path, "mov"), max_duration_seconds=3600)
                started = time.perf_counter()
                out = work / "bare.mp4"
                ffmpeg.run(
                    [ffmpeg.ffmpeg_path(), *preview_args(path, "mov", out, facts)], timeout=3600
                )
                return time.perf_counter() - started

            print(f"generating a {args.seconds} s 1080p30 clip…", flush=True)
            big = generate_clip(
                work / "1080p.mp4",
                seconds=args.seconds,
                width=1920,
                height=1080,
                fps=30,
                extra_output_args=("-b:v", "8M"),
            )
            bare_s = bare(big)
            pipe_s, result = pipeline(big)
            assert result.state == "ready", result.error_message
            print(f"(a) whole pipeline, 1080p30 {args.seconds} s: {pipe_s:7.2f} s")
            print(f"(b) bare ffmpeg, same preview arguments:  {bare_s:7.2f} s")
            print(f"    ratio a/b: {pipe_s / bare_s:.3f}  (target <= 1.10)")

            web = generate_clip(
                work / "web.mp4",
                seconds=args.seconds,
                width=640,
                height=360,
                fps=30,
                extra_output_args=("-b:v", "1M", "-ac", "2", "-ar", "48000", "-profile:v", "high"),
            )
            fast_s, fast = pipeline(web)
            assert fast.state == "ready" and fast.jobs.get(kind="preview").command.count("copy")
            full_s = bare(web)
            print(f"fast path (remux) to a playable preview:  {fast_s:7.2f} s")
            print(f"full conversion of the same clip:         {full_s:7.2f} s")
            print(f"    ratio fast/full: {fast_s / full_s:.3f}  (target <= 0.1)")
            own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(
                f"peak memory: worker (Python) {own:.0f} MiB, largest ffmpeg child {child:.0f} MiB"
            )
    finally:
        s3.stop(graceful=False)


if __name__ == "__main__":
    main()
