"""Issue 11, findings 17 and 18: production refuses weak transport settings, the API docs load
nothing from a CDN, and sign-in and invitation tokens never reach a log."""

from __future__ import annotations

import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from common.log_redaction import REDACTED, RedactingGunicornLogger, RedactTokens
from jury.invitations import INVITATION_DAYS
from tests.test_project import PRODUCTION_ENV, _run_with_env


@pytest.mark.django_db(False)
@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"S3_SECRET_ACCESS_KEY": ""}, "S3_SECRET_ACCESS_KEY must be set"),
        ({"DJANGO_SECURE_COOKIES": "false"}, "DJANGO_SECURE_COOKIES must be on"),
        ({"DJANGO_HSTS_SECONDS": "3600"}, "DJANGO_HSTS_SECONDS must be at least 31536000"),
    ],
)
def test_production_refuses_weak_transport_settings(override, expected):
    result = _run_with_env(["manage.py", "check"], **{**PRODUCTION_ENV, **override})

    assert result.returncode != 0
    assert "ImproperlyConfigured: Unsafe production settings" in result.stderr
    assert expected in result.stderr


def test_api_docs_load_their_assets_from_the_platform(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn." not in html and "@latest" not in html
    assert '<script src="/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js' in html
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]


@pytest.mark.django_db(False)
@pytest.mark.parametrize(
    "path",
    ["/inloggen/link/AbC-123_xyz/", "/jury/uitnodiging/AbC-123_xyz/?next=/jury/"],
)
def test_tokens_are_redacted_from_log_records(path):
    record = logging.makeLogRecord(
        {"msg": "Not Found: %s", "args": (path,), "request": f"<WSGIRequest: GET '{path}'>"}
    )

    assert RedactTokens().filter(record) is True
    assert "AbC-123_xyz" not in record.getMessage()
    assert REDACTED in record.getMessage()
    assert "AbC-123_xyz" not in record.request


@pytest.mark.django_db(False)
def test_tokens_are_redacted_from_the_gunicorn_access_log():
    logger = RedactingGunicornLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/inloggen/link/AbC-123_xyz/",
        "PATH_INFO": "/inloggen/link/AbC-123_xyz/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://prijzen.example.org/jury/uitnodiging/AbC-123_xyz/",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=10)

    atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, timedelta(seconds=1))

    assert atoms["r"] == f"GET /inloggen/link/{REDACTED}/ HTTP/1.1"
    assert atoms["U"] == f"/inloggen/link/{REDACTED}/"
    assert atoms["f"] == f"https://prijzen.example.org/jury/uitnodiging/{REDACTED}/"
    assert not any("AbC-123_xyz" in str(value) for value in atoms.values())


def test_an_invitation_is_valid_for_a_week():
    assert INVITATION_DAYS == 7
