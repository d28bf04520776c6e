"""The API's request body parser (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class JSONParser(parsers.JSONParser):
    """JSON bodies, refusing any text with a NUL character (``\\u0000``): no database column
    can hold one (PostgreSQL refuses it even in a lookup), so such a body is a 400 here
    rather than a server error in whichever field or lookup meets it first."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if _has_nul(data):
            raise exceptions.ParseError(_("Text may not contain the character \\u0000."))
        return data
