"""`make run` end to end: the embedded defaults (SQLite, filesystem broker, SeaweedFS, file
e-mail) start from nothing, the demo vlogs get processed by the real worker and play, Ctrl-C
stops every child, and a second run keeps the data."""

import os
import re
import signal
import subprocess
import sys
import time
from base64 import b32decode
from pathlib import Path

import pytest
import requests
from django_otp.oath import TOTP

from ops.management.commands.seed_demo import DEMO_PASSWORD, EDITION_SLUG
from ops.seaweedfs import free_port

pytestmark = [pytest.mark.storage, pytest.mark.worker, pytest.mark.media]

ROOT = Path(__file__).resolve().parents[2]
ORGANISER = "organisator@demo.vrijwilligersprijzen.nl"


def _embedded_env(var_dir: Path) -> dict[str, str]:
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_", "S3_", "EMAIL_", "SEAWEEDFS_"))
    }
    return {**keep, "VAR_DIR": str(var_dir), "SEAWEEDFS_PORT": str(free_port())}


def _start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", "run_platform", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def _poll(predicate, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except requests.RequestException:
            pass
        time.sleep(0.5)
    pytest.fail(f"{what} not within {timeout} s; log:\n{log.read_text()[-3000:]}")


def _signed_in(base: str, recovery_code: str = "") -> tuple[requests.Session, list[str]]:
    """The organiser signs in with the password; the first time they set up two-step sign-in
    (and get recovery codes), later they pass the second step with a recovery code."""
    session = requests.Session()
    session.get(f"{base}/inloggen/", timeout=10)
    response = session.post(
        f"{base}/inloggen/",
        data={
            "username": ORGANISER,
            "password": DEMO_PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/inloggen/"},
        timeout=10,
    )
    if recovery_code:
        assert response.url == f"{base}/tweestaps/?next=%2F", response.text[:500]
        done = session.post(
            response.url,
            data={
                "code": recovery_code,
                "next": "/",
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
            },
            headers={"Referer": response.url},
            timeout=10,
        )
        assert done.url == f"{base}/", done.text[:500]
        return session, []
    # The first time: the key from the page, a code as the app would show it.
    assert response.url == f"{base}/tweestaps/instellen/?next=%2F", response.text[:500]
    key = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', response.text).group(1)
    code = f"{TOTP(b32decode(key.replace(' ', ''))).token():06d}"
    done = session.post(
        response.url,
        data={"code": code, "next": "/", "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": response.url},
        timeout=10,
    )
    assert "Inloggen in twee stappen is ingesteld" in done.text, done.text[:500]
    return session, re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.text)


def _playing_entries(session: requests.Session, base: str) -> int:
    listing = session.get(f"{base}/inzendingen/", timeout=10).text
    links = sorted(set(re.findall(r'href="(/inzendingen/\d+/)"', listing)))
    pages = [session.get(f"{base}{link}", timeout=10).text for link in links]
    return len(links) if pages and all('<video id="vlog-player"' in p for p in pages) else 0


def _mails_containing(var_dir: Path, text: str) -> int:
    return sum(p.read_text(errors="replace").count(text) for p in (var_dir / "mail").glob("*"))


def _stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGINT)
    return proc.wait(120)


def _leftovers(var_dir: Path, port: int) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(var_dir) in text or f"127.0.0.1:{port}" in text:
            found.append(text)
    return found


def test_make_run_embedded_defaults_end_to_end(tmp_path):
    var_dir = tmp_path / "var"
    env = _embedded_env(var_dir)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "run.log"
    started = time.monotonic()
    proc = _start(env, port, log)
    try:
        _poll(lambda: "The platform runs at" in log.read_text(), 120, "start-up banner", log)
        health = _poll(
            lambda: requests.get(f"{base}/healthz", timeout=10).status_code == 200,
            90,
            "healthz 200",
            log,
        )
        assert health is True
        session, recovery_codes = _signed_in(base)
        playing = _poll(lambda: _playing_entries(session, base), 90, "playing demo vlogs", log)
        seconds_to_preview = time.monotonic() - started
        # The demo's 2021 results are published: the public winners page plays both winners'
        # vlogs, and the worker sent both winners their outcome e-mail.
        winners = requests.get(f"{base}/edities/{EDITION_SLUG}/winnaars/", timeout=10).text
        # The web server runs without DEBUG: our Dutch error page, with its stylesheet.
        missing = requests.get(f"{base}/bestaat-niet/", timeout=10)
        stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', missing.text)
        css = requests.get(f"{base}{stylesheet.group(1)}", timeout=10) if stylesheet else None
        _poll(lambda: _mails_containing(var_dir, "Gefeliciteerd!") >= 2, 60, "outcome mails", log)
        outcome_mails = _mails_containing(var_dir, "Gefeliciteerd!")
    finally:
        exit_code = _stop(proc)

    print(f"make run: demo previews playing {seconds_to_preview:.1f} s after start")
    assert playing == 2
    assert winners.count('<video id="vlog-player-') == 2
    assert (missing.status_code, "<h1>Pagina niet gevonden</h1>" in missing.text) == (404, True)
    assert css is not None and css.status_code == 200
    assert outcome_mails == 2
    assert seconds_to_preview < 60
    assert exit_code == 0
    assert "Stopped." in log.read_text()
    assert _leftovers(var_dir, port) == []
    assert list((var_dir / "seaweedfs").iterdir())  # the S3 server wrote its data under var/

    # A second run keeps the data: no new demo data, the stored vlogs still play.
    proc = _start(env, port, log)
    try:
        _poll(lambda: log.read_text().count("The platform runs at") == 2, 120, "restart", log)
        session, _codes = _signed_in(base, recovery_codes[0])
        assert _poll(lambda: _playing_entries(session, base), 30, "vlogs after restart", log) == 2
    finally:
        assert _stop(proc) == 0
    assert log.read_text().count("Demo data is already there.") == 1
