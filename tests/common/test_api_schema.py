"""The OpenAPI contract: the committed docs/api/openapi.yaml is what the code generates, it
validates, and every operation has a summary and documents its errors in the one shape.

Regenerate after changing the API: `make schema`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer
from drf_spectacular.validation import validate_schema

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.yaml"
ERROR_REF = "#/components/schemas/Error"
METHODS = {"get", "put", "patch", "post", "delete", "head", "options"}


@pytest.fixture(scope="module")
def schema() -> dict:
    with translation.override("en"):  # as `make schema` (spectacular --lang en)
        return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema: dict) -> dict[tuple[str, str], dict]:
    return {
        (method.upper(), path): op
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in METHODS
    }


def _error_codes(op: dict) -> set[int]:
    """The documented error responses that use the one error shape."""
    return {
        int(code)
        for code, response in op["responses"].items()
        if int(code) >= 400
        and response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
        == ERROR_REF
    }


def test_schema_validates(schema):
    validate_schema(schema)  # raises on an invalid OpenAPI document


def test_committed_schema_is_what_the_code_generates(schema):
    generated = OpenApiYamlRenderer().render(schema, renderer_context={}).decode()

    assert COMMITTED.exists(), "docs/api/openapi.yaml is missing: run `make schema`"
    assert COMMITTED.read_text() == generated, (
        "docs/api/openapi.yaml differs from the generated schema: run `make schema` and commit"
    )


def test_committed_schema_parses_and_has_the_operations(schema):
    committed = yaml.safe_load(COMMITTED.read_text())

    assert set(_operations(committed)) == set(_operations(schema))


def test_every_operation_has_a_summary(schema):
    missing = sorted(key for key, op in _operations(schema).items() if not op.get("summary"))

    assert missing == []


def test_every_operation_documents_its_errors_in_the_one_shape(schema):
    problems = []
    for (method, path), op in _operations(schema).items():
        codes = _error_codes(op)
        if not {401, 403, 429} <= codes:
            problems.append((method, path, "401/403/429"))
        if "{" in path and 404 not in codes:
            problems.append((method, path, "404 for a path with an object in it"))
        if "requestBody" in op and 400 not in codes:
            problems.append((method, path, "400 for an operation that takes input"))

    assert problems == []


def test_every_operation_has_a_success_response_with_a_shape(schema):
    problems = []
    for (method, path), op in _operations(schema).items():
        ok = {c: r for c, r in op["responses"].items() if c.startswith("2")}
        if not ok:
            problems.append((method, path, "no 2xx response"))
        elif not any("content" in r for r in ok.values()) and "204" not in ok:
            problems.append((method, path, "2xx without a body shape"))

    assert problems == []


def test_operation_ids_are_unique(schema):
    ids = [op["operationId"] for op in _operations(schema).values()]

    assert len(ids) == len(set(ids))
