"""Shared pieces of the REST API: the one error shape {"code", "message", "fields"} (in the
request's language) for every error, token authentication and its scope, pagination,
throttles, and helpers that document the error responses in the OpenAPI schema."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import django_filters
from botocore.exceptions import BotoCoreError, ClientError
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_handler
from rest_framework.views import set_rollback

from common import tokens
from common.api_auth import (  # noqa: F401 (re-exported: the API's shared pieces in one place)
    BearerTokenAuthentication,
    TokenScopePermission,
    read_only_denied,
)
from common.errors import DomainError, InvalidTransition, NotAllowed

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

logger = logging.getLogger(__name__)


# --- The one error shape ------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """Every error the API returns has this shape."""

    code = serializers.CharField(help_text="A stable, machine-readable code, e.g. `not_found`.")
    message = serializers.CharField(
        help_text="What went wrong, for people, in the request's language (Accept-Language)."
    )
    fields = serializers.DictField(  # type: ignore[assignment]  # a field named fields, not Serializer.fields
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per input field, its messages (only for `invalid`; otherwise empty).",
    )


def error_body(code: str, message: str | StrPromise, fields: dict | None = None) -> dict:
    """The one shape of every JSON error, from the API and from the pages' scripts alike."""
    return {"code": code, "message": str(message), "fields": fields or {}}


def refused_json(
    code: str, message: str | StrPromise, fields: dict | None = None, **flags
) -> JsonResponse:
    """A change a page's script asked for (an autosave, a heartbeat) that was not made: a 400
    in the API's error shape, with the page's own flags (``saved=False``)."""
    return JsonResponse({**flags, **error_body(code, message, fields)}, status=400)


def not_saved(fields: dict[str, list[str]], labels: dict) -> str:
    """The one line a page's script shows for refused input: the first field (by its label
    in ``labels``, else its name) and its first problem."""
    name, problems = next(iter(fields.items()))
    return _("Not saved. %(field)s: %(problem)s") % {
        "field": labels.get(name, name),
        "problem": problems[0],
    }


def form_fields(form) -> dict[str, list[str]]:
    """A Django form's errors as the ``fields`` of the error shape: per field, its messages."""
    return {
        name: [e["message"] for e in errors] for name, errors in form.errors.get_json_data().items()
    }


def _domain_status(exc: DomainError) -> int:
    if isinstance(exc, tokens.TokenInvalid):
        return status.HTTP_401_UNAUTHORIZED
    if isinstance(exc, NotAllowed):
        return status.HTTP_403_FORBIDDEN
    if isinstance(exc, InvalidTransition):
        return status.HTTP_409_CONFLICT
    return status.HTTP_400_BAD_REQUEST


def exception_handler(exc, context):
    if isinstance(exc, BotoCoreError | ClientError):
        logger.exception("storage error in the API")
        message = _("The storage cannot be reached for a moment. Try again shortly.")
        return Response(error_body("storage_unavailable", message), status=503)
    if isinstance(exc, DomainError):
        set_rollback()
        return Response(error_body(exc.code, exc.message), status=_domain_status(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is None:
        # A bug, not bad input: log it and still answer in the one shape.
        logger.exception("unhandled error in the API", exc_info=exc)
        set_rollback()
        message = _("Something went wrong on our side. Try again later.")
        return Response(error_body("server_error", message), status=500)
    if isinstance(exc, exceptions.ValidationError):
        message = _("Some fields are not right. Check them and try again.")
        response.data = error_body("invalid", message, validation_fields(exc))
    elif isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)  # type: ignore[attr-defined]  # set by Throttled(); not in the stubs
        message = ngettext(
            "Too many requests. Try again in %(seconds)d second.",
            "Too many requests. Try again in %(seconds)d seconds.",
            wait,
        ) % {"seconds": wait}
        response.data = error_body("throttled", message)
        response["Retry-After"] = str(wait)
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        message = getattr(exc, "detail", exc)
        response.data = error_body(code if isinstance(code, str) else "error", message)
    return response


def validation_fields(exc: exceptions.ValidationError) -> dict[str, list[str]]:
    """A serializer's errors as the ``fields`` of the error shape: per field, its messages."""
    detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    return {name: _flatten(msgs) for name, msgs in detail.items()}


def _flatten(messages) -> list[str]:
    """Field messages as a flat list of strings (nested serializers: 'field: message')."""
    if isinstance(messages, dict):
        return [
            m if key == api_settings.NON_FIELD_ERRORS_KEY else f"{key}: {m}"
            for key, value in messages.items()
            for m in _flatten(value)
        ]
    if isinstance(messages, list):
        return [m for item in messages for m in _flatten(item)]
    return [str(messages)]


def not_found(request, *args, **kwargs):
    """Unknown addresses under /api/ answer in the one error shape too. A GET without the
    trailing slash of an address that exists is redirected, as Django's APPEND_SLASH would."""
    if request.method in ("GET", "HEAD") and not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            query = request.META.get("QUERY_STRING", "")
            target = request.path + "/" + (f"?{query}" if query else "")
            return HttpResponsePermanentRedirect(target)
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)


# --- Authentication -----------------------------------------------------------------------


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (`vpt_...`), made by an organiser on the "
            "'API tokens' page. Read-only tokens may only use GET, HEAD and OPTIONS.",
        }


# --- Forms as the one owner of input rules ---------------------------------------------------


def validated_form(form_class, payload: dict, *, instance=None, **kwargs):
    """The page's form, filled as the page would send it back: what the page shows (the
    object's current values, or a new form's defaults), then ``payload`` on top (so a PATCH
    changes only what it names). The form holds the input rules for page and API alike; when
    it refuses, the API answers 400 with its messages per field."""
    shown = form_class(instance=instance, **kwargs) if instance else form_class(**kwargs)
    data = {field.name: field.value() for field in shown}
    data.update(payload)
    form = form_class(data, instance=instance, **kwargs)
    if not form.is_valid():
        raise exceptions.ValidationError(
            {
                ("non_field_errors" if name == "__all__" else name): [str(e) for e in errors]
                for name, errors in form.errors.items()
            }
        )
    return form


# --- Pagination and throttles -------------------------------------------------------------


class Pagination(pagination.PageNumberPagination):
    """``?page=2&page_size=20``: 50 per page unless asked, at most 200. The schema states
    these bounds and the API refuses what lies outside them (400), instead of quietly using
    another page size."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_number(self, request, paginator):
        """The page asked for; an empty ``?page=`` is not page 1 but a page that does not
        exist (404), as any other value that is not a page number."""
        return request.query_params.get(self.page_query_param, 1)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        _("Choose a page size from 1 to %(max)s.") % {"max": self.max_page_size}
                    ]
                }
            )
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


def throttles(*extra) -> list:
    """The default throttles plus ``extra`` (a view that sets throttle_classes itself would
    otherwise lose the per-user and per-address limits)."""
    return [*api_settings.DEFAULT_THROTTLE_CLASSES, *extra]


# --- Schema helpers -----------------------------------------------------------------------


ERROR_DESCRIPTIONS = {
    400: "Bad input or a rule of the contest stops it (see `code`; field errors in `fields`).",
    401: "Not signed in, or the API token is unknown, expired or revoked.",
    403: "Signed in, but not allowed (e.g. `token_read_only`, CSRF for session clients).",
    404: "Not found, or not yours to see (hidden objects answer 404, never 403).",
    405: "This method is not allowed here.",
    409: "This step is not possible in the object's current state.",
    415: "Unsupported media type: send JSON.",
    429: "Too many requests; the `Retry-After` header says how many seconds to wait.",
    503: "Object storage cannot be reached for a moment; try again.",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Error responses for ``extend_schema(responses={..., **errors(400, 404)})``.
    401, 403 and 429 are added to every operation by the schema hook."""
    return {c: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[c]) for c in codes}


ERROR_COMPONENT = {
    "type": "object",
    "description": "Every error the API returns has this shape.",
    "properties": {
        "code": {"type": "string", "description": "A stable, machine-readable code."},
        "message": {"type": "string", "description": "For people, in the request's language."},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Per input field, its messages (only for `invalid`).",
        },
    },
    "required": ["code", "message", "fields"],
}


def add_common_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation may answer 401, 403 and 429 in
    the one error shape (authentication, token scope and throttles apply everywhere); a
    paginated list 404 for a page that does not exist, and a filtered list 400 for a bad
    filter value."""
    ref = {"$ref": "#/components/schemas/Error"}
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault(
        "Error", ERROR_COMPONENT
    )
    for item in result.get("paths", {}).values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            for code in ("401", "403", "429"):
                responses.setdefault(
                    code,
                    {
                        "content": {"application/json": {"schema": ref}},
                        "description": ERROR_DESCRIPTIONS[int(code)],
                    },
                )
            query = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
            if "page" in query:  # a page that does not exist (or is not a number) is a 404
                responses.setdefault(
                    "404",
                    {
                        "content": {"application/json": {"schema": ref}},
                        "description": "This page of the list does not exist.",
                    },
                )
            if query - {"page", "page_size", "ordering"}:  # filters refuse bad values
                responses.setdefault(
                    "400",
                    {
                        "content": {"application/json": {"schema": ref}},
                        "description": "A filter value is not valid (see `fields`).",
                    },
                )
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                free_text = schema.get("type") == "string" and not {"enum", "format"} & set(schema)
                if parameter.get("in") == "query" and free_text:
                    schema.setdefault("pattern", NO_NULL_CHARACTERS)  # Django's fields refuse them
    return result


NO_NULL_CHARACTERS = "^[^\\x00]*$"


class BoundedIntegerField(forms.IntegerField):
    """A whole number that fits the database's integer (1.5 is refused, not rounded; a
    number too large for SQLite or PostgreSQL is a 400, not a server error)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
class IdFilter(django_filters.NumberFilter):
    """A filter on an id or another positive whole number."""

    field_class = BoundedIntegerField


class TrueFalseField(forms.TypedChoiceField):
    """``true`` or ``false`` as the schema's booleans are written; anything else is a 400
    (django-filter's own boolean filter ignores a value it cannot read)."""

    def __init__(self, *args, **kwargs):
        kwargs.pop("empty_value", None)
        super().__init__(
            *args,
            choices=[("true", "true"), ("false", "false")],
            coerce=lambda value: value == "true",
            empty_value=None,
            **kwargs,
        )


@extend_schema_field({"type": "boolean"})
class TrueFalseFilter(django_filters.BooleanFilter):
    field_class = TrueFalseField


class FilterSet(django_filters.FilterSet):
    """The base of every API list's filters: a choice, number or true/false parameter given
    without a value is a 400, as the schema has no empty value for them (django-filter would
    ignore it and return everything); leave a parameter out to not filter on it. An empty
    free-text parameter matches everything, as the schema allows."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, found in self.filters.items():
            text = isinstance(found, django_filters.CharFilter)
            if not text and name in self.data and self.data.get(name) == "":
                self.form.add_error(name, _("Give a value, or leave the parameter out."))
                valid = False
        return valid
