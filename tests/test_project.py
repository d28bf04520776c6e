"""Project-wide checks: migrations match the models, Django's system checks pass."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_migrations_match_models():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def _run_with_env(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_URL"))}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "x" * 30 + "-a-long-and-random-production-secret-key",
    "DJANGO_ALLOWED_HOSTS": "prijzen.example.org",
    "EMAIL_URL": "smtp://mail.example.org:587",
    "S3_SECRET_ACCESS_KEY": "production-secret",
    "TRUSTED_PROXY_COUNT": "1",
}


def test_check_deploy_passes_with_production_settings():
    result = _run_with_env(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_DEBUG": "true"}, "DJANGO_DEBUG must be off"),
        ({"DJANGO_ALLOWED_HOSTS": "*"}, "DJANGO_ALLOWED_HOSTS must list the real host names"),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS must list the real host names"),
        ({"EMAIL_URL": ""}, "EMAIL_URL must be set"),
    ],
)
def test_production_settings_refuse_unsafe_defaults(override, expected):
    result = _run_with_env(["manage.py", "check"], **{**PRODUCTION_ENV, **override})
    assert result.returncode != 0
    assert "ImproperlyConfigured: Unsafe production settings" in result.stderr
    assert expected in result.stderr
