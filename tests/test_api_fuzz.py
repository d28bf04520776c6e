"""Schemathesis against the live schema: every operation of /api/schema/, called in-process
(WSGI) as each role that may use it, with generated query parameters and bodies (valid ones
and, fewer, invalid ones). No answer may be a server error, and every answer must conform to
the schema: a documented status code, the documented content type and the response schema;
what the schema forbids is refused, and a read that the schema allows is answered.

The callers are real users of the test database: people with a session cookie and a CSRF
token, organisers also with their read-write and read-only API tokens. Path parameters are the
role's own objects from the world of tests/api_world.py (random ids would only meet 404s).
Each run starts with the permission matrix's valid call for the role (its status must be
the matrix's). The last test prints how many cases ran.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.api_world import build_world
from tests.test_permission_matrix import MATRIX, RESOLVERS, STORAGE

pytestmark = pytest.mark.django_db

SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/", application)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,  # what the schema forbids is refused
]
# What the schema allows is accepted: for reads. A write may be refused by a rule of the contest
# that no schema can state (entries close after they open, the deadline has passed).
READ_CHECKS = [*CHECKS, positive_data_acceptance]
EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 10}
SAFE = {"GET", "HEAD", "OPTIONS"}
TOTAL = {"cases": 0, "operations": set(), "runs": 0, "seconds": 0.0, "statuses": Counter()}


def _operations():
    for result in SCHEMA.get_all_operations():
        operation = result.ok()
        yield operation.method.upper(), operation.path, operation


def _roles(method: str, path: str) -> list[str]:
    """The roles that may use the operation (a 2xx in the permission matrix). The organiser
    uses a read-write token here (the matrix uses the session); the read-only token reads."""
    row = MATRIX[(method, path)]
    roles = [role for role, status in row.items() if status < 300]
    return [role for role in roles if role != "organiser_read_token" or method in SAFE]


def _params(*, storage: bool):
    for method, path, _operation in _operations():
        if (method, path) not in MATRIX or (STORAGE in path) != storage:
            continue  # (an operation without a row: test_permission_matrix fails for it)
        for role in _roles(method, path):
            yield pytest.param(method, path, role, id=f"{method} {path} {role}")


@pytest.fixture
def wsgi_in_test_transaction():
    """Requests through the WSGI handler must not close the test's database connection (the
    test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    cache.clear()
    yield
    cache.clear()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _credentials(world, role: str) -> tuple[dict, dict]:
    """(headers, cookies) of a real caller: a session with a CSRF token, or an API token."""
    if role == "anonymous":
        return {}, {}
    if role == "organiser":
        return {"Authorization": f"Bearer {world.write_token}"}, {}
    if role == "organiser_read_token":
        return {"Authorization": f"Bearer {world.read_token}"}, {}
    client = Client()
    client.force_login(world.user(role))
    csrf = get_random_string(32)
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf}
    return {"X-CSRFToken": csrf}, cookies


def _fuzz(world, method: str, path: str, role: str) -> None:
    operation = SCHEMA[path][method]
    make_call, prepare = RESOLVERS[(method, path)]
    if prepare is not None:
        prepare(world)
    call = make_call(world, role)
    params = {k: str(v) for k, v in call.params.items()}
    headers, cookies = _credentials(world, role)
    # First the matrix's valid call, through WSGI with the role's real credentials (CSRF and
    # tokens included): its status is the matrix's, and its (successful) answer conforms too.
    body = {} if call.body is None else {"body": call.body, "media_type": "application/json"}
    known = operation.Case(path_parameters=params or None, **body)
    response = known.call(headers=headers, cookies=cookies)
    assert response.status_code == MATRIX[(method, path)][role], response.text[:500]
    known.validate_response(response, checks=CHECKS, headers=headers)
    TOTAL["cases"] += 1
    TOTAL["statuses"][response.status_code] += 1
    raw = SCHEMA.raw_schema["paths"][path][method.lower()]
    free = "requestBody" in raw or any(p["in"] == "query" for p in raw.get("parameters", []))
    read_or_write_checks = READ_CHECKS if method in SAFE else CHECKS
    started = time.monotonic()
    for mode, examples in EXAMPLES.items():
        if mode == GenerationMode.NEGATIVE and not free:
            continue  # nothing to make invalid: the path parameters are the world's objects
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=params or None)

        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        @given(case=strategy)
        def run(case):
            if cookies and case.headers:  # a session caller: no generated (invalid) token
                case.headers = {
                    k: v for k, v in case.headers.items() if k.lower() != "authorization"
                }
            response = case.call(headers=headers, cookies=cookies)
            TOTAL["cases"] += 1
            TOTAL["statuses"][response.status_code] += 1
            if response.status_code < 300:
                TOTAL.setdefault("succeeded", set()).add((method, path))
            case.validate_response(response, checks=read_or_write_checks, headers=headers)

        run()
    TOTAL["operations"].add((method, path))
    TOTAL["runs"] += 1
    TOTAL["seconds"] += time.monotonic() - started


@pytest.mark.parametrize(("method", "path", "role"), list(_params(storage=False)))
def test_fuzz(wsgi_in_test_transaction, method, path, role):
    _fuzz(build_world(), method, path, role)


@pytest.mark.storage
@pytest.mark.parametrize(("method", "path", "role"), list(_params(storage=True)))
def test_fuzz_uploads(s3_server, wsgi_in_test_transaction, method, path, role):
    """The upload operations reach the real S3 server."""
    _fuzz(build_world(), method, path, role)


def test_every_schema_operation_was_fuzzed(request, capsys):
    """Runs last: every operation got at least one role, and the case count is reported."""
    operations = {(method, path) for method, path, _op in _operations()}
    summary = (
        f"schemathesis: {TOTAL['cases']} cases, {len(TOTAL['operations'])} of "
        f"{len(operations)} operations, {TOTAL['runs']} operation-role runs, "
        f"{TOTAL['seconds']:.0f} s; statuses {dict(sorted(TOTAL['statuses'].items()))}"
    )
    never = sorted(operations - TOTAL.get("succeeded", set()))
    with capsys.disabled():
        print("\n" + summary)
        print(f"operations where only the valid call succeeded, no generated case ({len(never)}):")
        for method, path in never:
            print(f"  {method} {path}")
    request.node.user_properties.append(("schemathesis", summary))

    assert TOTAL["operations"] == operations
