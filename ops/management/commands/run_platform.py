"""Run the whole platform on one machine: S3 server, migrations, demo data, worker, web server.

`make run` calls this. Ctrl-C stops every child in order: web, worker, then SeaweedFS
(SIGTERM, a wait, then SIGKILL). Data under var/ is kept between runs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from media_pipeline import storage
from ops.management.commands.seed_demo import ACCOUNTS, DEMO_PASSWORD
from ops.seaweedfs import EmbeddedS3

CHILD_STOP_SECONDS = 30


class Command(BaseCommand):
    help = "Start the embedded S3 server, worker and web server with demo data (single machine)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument("--no-demo", action="store_true", help="Do not load demo data.")

    def handle(self, *args, bind: str, no_demo: bool, **options):
        self.children: list[tuple[str, subprocess.Popen]] = []
        self.s3: EmbeddedS3 | None = None
        self.stopping = False
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        started = time.monotonic()
        try:
            self._start(bind=bind, demo=not no_demo)
            self._banner(bind, time.monotonic() - started)
            self._supervise()
        except KeyboardInterrupt:
            pass
        finally:
            self._stop_all()

    def _on_signal(self, signum, frame):
        if not self.stopping:
            self.stopping = True
            raise KeyboardInterrupt

    def _start(self, *, bind: str, demo: bool) -> None:
        var = settings.VAR_DIR
        for folder in ("mail", "scratch", "logs"):
            (var / folder).mkdir(parents=True, exist_ok=True)
        call_command("compile_translations", verbosity=0)
        # The web server runs as in production: DEBUG off (our own Dutch error pages, never
        # Django's debug page), so its static files are collected (meanwhile, in the background).
        web_env = {**os.environ, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "false")}
        collecting = subprocess.Popen(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            env=web_env,
            cwd=settings.BASE_DIR,
        )
        if settings.EMBEDDED_S3:
            self.stdout.write("Starting the embedded S3 server (SeaweedFS)…")
            self.s3 = EmbeddedS3(
                data_dir=var / "seaweedfs",
                access_key=settings.S3_ACCESS_KEY_ID,
                secret_key=settings.S3_SECRET_ACCESS_KEY,
                s3_port=settings.SEAWEEDFS_PORT,
            )
            self.s3.start(log_path=var / "logs" / "seaweedfs.log")
        storage.ensure_bucket()
        call_command("migrate", interactive=False, verbosity=0)
        self._spawn(
            "worker",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--beat",
                "-Q",
                f"{settings.CELERY_TASK_DEFAULT_QUEUE},{settings.CELERY_MEDIA_QUEUE}",
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
                "--schedule",
                settings.CELERY_BEAT_SCHEDULE_FILENAME,
            ],
            var / "logs" / "worker.log",
        )
        if demo:
            call_command("seed_demo")
        if collecting.wait() != 0:
            raise CommandError("collectstatic failed")
        self._spawn(
            "web",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                bind,
                "--workers",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--logger-class",  # no sign-in or invitation tokens in the access log
                "common.log_redaction.RedactingGunicornLogger",
            ],
            var / "logs" / "web.log",
            env=web_env,
        )
        self._wait_for_web(bind)

    def _wait_for_web(self, bind: str, timeout: float = 60) -> None:
        host, _, port = bind.rpartition(":")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection((host or "127.0.0.1", int(port)), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise CommandError(f"The web server did not start; see {settings.VAR_DIR / 'logs'}")

    def _spawn(self, name: str, args: list[str], log_path: Path, env=None) -> None:
        log = open(log_path, "ab")  # noqa: SIM115 (inherited by the child)
        proc = subprocess.Popen(
            args,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=settings.BASE_DIR,
            env=env,
        )
        log.close()
        self.children.append((name, proc))

    def _banner(self, bind: str, seconds: float) -> None:
        url = f"http://{bind}/"
        lines = [
            "",
            self.style.SUCCESS(f"The platform runs at {url}  (started in {seconds:.0f} s)"),
            f"  admin:   {url}beheer/    health: {url}healthz    API docs: {url}api/docs/",
            f"  logs:    {settings.VAR_DIR / 'logs'}    e-mail: {settings.VAR_DIR / 'mail'}",
            f"  demo logins (password '{DEMO_PASSWORD}'):",
            *(f"    {role.label:<14} {email}" for email, _name, role in ACCOUNTS),
            "Press Ctrl-C to stop.",
        ]
        self.stdout.write("\n".join(lines))

    def _supervise(self) -> None:
        while True:
            for name, proc in self.children:
                if proc.poll() is not None:
                    self.stderr.write(
                        f"The {name} process stopped (exit {proc.returncode}); "
                        f"see {settings.VAR_DIR / 'logs' / (name + '.log')}. Stopping."
                    )
                    return
            time.sleep(1)

    def _stop_all(self) -> None:
        self.stdout.write("\nStopping…")
        for _name, proc in reversed(self.children):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for _name, proc in reversed(self.children):
            try:
                proc.wait(CHILD_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if self.s3:
            self.stdout.write("Stopping the S3 server (this takes up to half a minute)…")
            self.s3.stop()
        self.stdout.write("Stopped.")
