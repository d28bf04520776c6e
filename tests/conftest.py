"""Shared fixtures: a real S3 server, a real Celery worker process and a real browser.

Nothing here is mocked: the S3 server is SeaweedFS on a free port, the worker is a
`celery worker` subprocess that reads the test database, and the browser is Debian's Chromium.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from media_pipeline import storage
from media_pipeline.enums import AssetState
from media_pipeline.models import MediaAsset
from ops.seaweedfs import EmbeddedS3
from tests.factories import UserFactory
from web.accounts.second_factor import second_factor_required

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by test
# code around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REQUIRED_GROUPS = ("storage", "media", "worker", "browser")
CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache_and_language(settings):
    """Each test starts with no rate-limit counters and in Dutch (a request in English leaves
    its language active in the thread after the response). The counters live in this
    process's memory, not in the shared file cache under var/, so that two test runs side by
    side cannot reset each other's counters."""
    from django.core.cache import cache
    from django.utils import translation

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


# --- Two-step sign-in -------------------------------------------------------------------
# Most tests sign people in with Client.force_login and are about something else: for an
# account that needs the second step, that sign-in also passes it (with an authenticator made
# for the test), as a real person would have. tests/security/test_second_factor.py walks the
# real steps; tests that must see the unverified state sign in with _plain_force_login.
_plain_force_login = Client.force_login


def _force_login_with_second_step(self, user, backend=None):
    _plain_force_login(self, user, backend)
    if second_factor_required(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


Client.force_login = _force_login_with_second_step


# --- Object storage ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """SeaweedFS with enforced keys on free ports, a fresh bucket, the settings pointed at it."""
    token = secrets.token_hex(4)
    server = EmbeddedS3(
        data_dir=tmp_path_factory.mktemp("seaweedfs"),
        access_key=f"test-{token}",
        secret_key=secrets.token_urlsafe(24),
    )
    server.start()
    override = override_settings(
        S3_CORS_ORIGINS=["*"],  # the live test server runs on a random port
        **storage.settings_for_server(
            endpoint_url=server.endpoint_url,
            access_key=server.access_key,
            secret_key=server.secret_key,
            bucket=f"test-{token}",
        ),
    )
    override.enable()
    try:
        storage.ensure_bucket()
        yield server
    finally:
        override.disable()
        server.stop(graceful=False)  # throwaway data: no need to wait for a clean flush


@pytest.fixture
def stored_asset(s3_server):
    """Make an uploaded asset from a local file, without queueing its processing: the test
    calls the service itself (and, the test transaction being uncommitted, a running worker
    cannot see it)."""

    def make(path, *, max_duration_seconds: int = 300) -> MediaAsset:
        asset = MediaAsset(
            owner=UserFactory(),
            state=AssetState.UPLOADED,
            original_filename=path.name,
            max_duration_seconds=max_duration_seconds,
        )
        asset.original_key = f"originals/{asset.uid}"
        storage.upload_file(path, asset.original_key, content_type="application/octet-stream")
        asset.size_bytes = path.stat().st_size
        asset.save()
        return asset

    return make


# --- Celery worker --------------------------------------------------------------------------


def _test_database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + db["NAME"]))


class WorkerProcess:
    def __init__(self, proc: subprocess.Popen, log_path: Path) -> None:
        self.proc = proc
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_worker(
    *, s3: EmbeddedS3, log_path: Path, queue_prefix: str, **extra_env: str
) -> WorkerProcess:
    env = {
        **os.environ,
        **extra_env,
        "DATABASE_URL": _test_database_url(),
        "S3_ENDPOINT_URL": s3.endpoint_url,
        "S3_ACCESS_KEY_ID": s3.access_key,
        "S3_SECRET_ACCESS_KEY": s3.secret_key,
        "S3_BUCKET": settings.S3_BUCKET,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_QUEUE_PREFIX": queue_prefix,
    }
    queues = f"{queue_prefix}default,{queue_prefix}media"
    log = open(log_path, "ab")  # noqa: SIM115 (inherited by the child)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queues,
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--hostname",
            f"test-{queue_prefix}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    log.close()
    worker = WorkerProcess(proc, log_path)
    deadline = time.monotonic() + 60
    while "ready." not in worker.log():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("The test worker did not start:\n" + worker.log()[-3000:])
        time.sleep(0.2)
    return worker


@pytest.fixture(scope="session", autouse=True)
def queue_prefix(tmp_path_factory):
    """Queues of this test run (and, for the filesystem broker, its own folder), so that
    nothing else on the broker picks our tasks and nothing is left behind."""
    from config.celery import app

    prefix = f"test-{secrets.token_hex(4)}-"
    conf = app.conf
    old = conf.task_default_queue, conf.task_routes, conf.broker_transport_options
    conf.task_default_queue = f"{prefix}default"
    conf.task_routes = {name: {"queue": f"{prefix}media"} for name in settings.CELERY_TASK_ROUTES}
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        folder = tmp_path_factory.mktemp("broker")
        os.environ["CELERY_BROKER_DIR"] = str(folder)  # inherited by the test worker
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir()
        conf.broker_transport_options = {
            **conf.broker_transport_options,
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
        }
    yield prefix
    conf.task_default_queue, conf.task_routes, conf.broker_transport_options = old


@pytest.fixture(scope="session")
def celery_worker(s3_server, queue_prefix, django_db_setup, tmp_path_factory):
    """A real `celery worker` process on the test database and the test S3 server."""
    worker = start_worker(
        s3=s3_server,
        log_path=tmp_path_factory.mktemp("worker") / "worker.log",
        queue_prefix=queue_prefix,
    )
    yield worker
    worker.proc.terminate()
    try:
        worker.proc.wait(30)
    except subprocess.TimeoutExpired:
        worker.proc.kill()


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.25, message: str = ""):
    """Poll until ``predicate()`` is truthy; return its value or fail the test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(message or f"condition not met within {timeout} s")


# --- Browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed (scripts/ensure-chromium.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


# --- Required groups in CI --------------------------------------------------------------------

_outcomes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        for group in REQUIRED_GROUPS:
            if group in report.keywords:
                _outcomes[group][report.outcome] += 1


def pytest_sessionfinish(session, exitstatus):
    """In CI every required group must have run and none of its tests may be skipped."""
    if os.environ.get("CI", "").lower() != "true" or exitstatus not in (0,):
        return
    if session.config.getoption("keyword") or session.config.getoption("markexpr"):
        return
    problems = [
        f"{group}: {dict(_outcomes[group]) or 'no tests ran'}"
        for group in REQUIRED_GROUPS
        if not _outcomes[group].get("passed") or _outcomes[group].get("skipped")
    ]
    if problems:
        session.config.get_terminal_writer().line(
            "Required test groups were skipped or missing in CI: " + "; ".join(problems), red=True
        )
        session.exitstatus = 1
