"""Browser-style upload through the platform against boto3's own upload, in one run.

    .venv/bin/python benchmarks/upload.py [--mb 500] [--parallel 4]

Uploads one file (a real MP4 header, then random bytes) through the platform's endpoints as
the browser does (start, sign parts in batches, PUT the parts in parallel straight to S3,
complete) and, to the same S3 server, with boto3's ``upload_file`` (same part size and
concurrency). Prints both throughputs, their ratio (target >= 0.9) and the web process's peak
memory growth during the upload (target < 30 MB). Runs its own SeaweedFS, SQLite database and
gunicorn (one worker process, so its memory is what we measure).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MiB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))


class PeakSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, rss_kib(pid), threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.02)


def make_file(path: Path, megabytes: int) -> None:
    from media_pipeline.clips import generate_clip

    head = generate_clip(path.with_suffix(".head.mp4"), seconds=1, width=320, height=240)
    with open(path, "wb") as out:
        out.write(head.read_bytes())
        remaining = megabytes * MiB - out.tell()
        while remaining > 0:
            chunk = os.urandom(min(8 * MiB, remaining))
            out.write(chunk)
            remaining -= len(chunk)


def browser_style(
    base: str, session: requests.Session, entry_id: int, path: Path, parallel: int
) -> float:
    headers = {"X-CSRFToken": session.cookies["csrftoken"], "Referer": base + "/"}
    size = path.stat().st_size
    started = time.perf_counter()
    upload = session.post(
        f"{base}/api/v1/entries/{entry_id}/vlog-uploads/",
        json={"filename": path.name, "size": size, "content_type": "video/mp4"},
        headers=headers,
    ).json()
    url = f"{base}/api/v1/entries/{entry_id}/vlog-uploads/{upload['uid']}/"
    part_size, count = upload["part_size"], upload["part_count"]
    signed: dict[str, str] = {}
    for first in range(1, count + 1, 20):
        batch = list(range(first, min(count, first + 19) + 1))
        signed |= session.post(url + "sign/", json={"part_numbers": batch}, headers=headers).json()[
            "urls"
        ]

    def put(number: int) -> None:
        with open(path, "rb") as fh:
            fh.seek((number - 1) * part_size)
            data = fh.read(part_size)
        response = requests.put(signed[str(number)], data=data, timeout=120)
        response.raise_for_status()

    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(put, range(1, count + 1)))
    response = session.post(url + "complete/", headers=headers)
    assert response.status_code == 200, (response.status_code, response.text[:2000])
    done = response.json()
    assert done["state"] == "uploaded", done
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=500)
    parser.add_argument("--parallel", type=int, default=4)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "S3_", "CELERY"))},
        "VAR_DIR": str(work / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "WARNING",
        "S3_ACCESS_KEY_ID": "bench",
        "S3_BUCKET": "bench",
        "S3_SECRET_ACCESS_KEY": secrets.token_urlsafe(24),
    }
    from ops.seaweedfs import EmbeddedS3

    s3 = EmbeddedS3(
        data_dir=work / "s3", access_key="bench", secret_key=env["S3_SECRET_ACCESS_KEY"]
    )
    s3.start()
    env["S3_ENDPOINT_URL"] = s3.endpoint_url
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from media_pipeline import storage

    storage.ensure_bucket()
    call_command("migrate", verbosity=0)
    from tests.factories import EntryFactory, InitiativeFactory, UserFactory

    user = UserFactory(email="bench@example.org")
    entry = EntryFactory(initiative=InitiativeFactory(owner=user))
    from django.utils import timezone

    entry.edition.entries_close_at = timezone.now() + timezone.timedelta(days=1)
    entry.edition.max_upload_bytes = (args.mb + 10) * MiB
    entry.edition.save()
    path = work / "vlog.mp4"
    print(f"making a {args.mb} MB file…", flush=True)
    make_file(path, args.mb)

    port = free_port()
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "8",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/inloggen/", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.2)
        session = requests.Session()
        session.get(base + "/inloggen/")
        session.post(
            base + "/inloggen/",
            data={
                "username": user.email,
                "password": "correct-horse-battery",
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
            },
            headers={"Referer": base + "/inloggen/"},
        )
        worker = int(
            subprocess.run(
                ["pgrep", "-P", str(web.pid)], capture_output=True, text=True
            ).stdout.split()[0]
        )
        # Warm up: one small upload loads boto3's service models and our modules once, so the
        # measurement below shows what an upload costs, not what start-up costs.
        small = work / "small.mp4"
        make_file(small, 9)
        browser_style(base, session, entry.pk, small, args.parallel)
        sampler = PeakSampler(worker)
        before = rss_kib(worker)
        sampler.start()
        platform_s = browser_style(base, session, entry.pk, path, args.parallel)
        sampler.stop.set()
        sampler.join()

        from boto3.s3.transfer import TransferConfig

        config = TransferConfig(multipart_chunksize=8 * MiB, max_concurrency=args.parallel)
        started = time.perf_counter()
        storage.s3_client().upload_file(str(path), "bench", "direct/vlog.mp4", Config=config)
        boto_s = time.perf_counter() - started
    finally:
        web.terminate()
        web.wait()
        s3.stop(graceful=False)

    size_mb = path.stat().st_size / MiB
    print(
        f"platform (browser-style, {args.parallel} parts at once): {size_mb / platform_s:7.1f} MB/s"
        f"  ({platform_s:.2f} s)"
    )
    print(
        f"boto3 upload_file (same part size, concurrency):  {size_mb / boto_s:7.1f} MB/s"
        f"  ({boto_s:.2f} s)"
    )
    print(f"    ratio platform/boto3: {boto_s / platform_s:.3f}  (target >= 0.9)")
    growth = (sampler.peak - before) / 1024
    print(
        f"web worker memory: {before / 1024:.0f} MiB before, peak growth {growth:.1f} MiB"
        "  (target < 30 MB)"
    )


if __name__ == "__main__":
    main()
