"""One error shape for every API error: {"code", "message", "fields"}, in the request's language."""

from __future__ import annotations

import logging

from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from common.errors import DomainError

logger = logging.getLogger(__name__)


def exception_handler(exc, context):
    if isinstance(exc, BotoCoreError | ClientError):
        logger.exception("storage error in the API")
        body = {
            "code": "storage_unavailable",
            "message": _("The storage cannot be reached for a moment. Try again shortly."),
            "fields": {},
        }
        return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "message": str(exc.message), "fields": {}}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = {name: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
                  for name, msgs in detail.items()}  # fmt: skip
        response.data = {
            "code": "invalid",
            "message": _("Some fields are not right. Check them and try again."),
            "fields": fields,
        }
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = {
            "code": code if isinstance(code, str) else "error",
            "message": str(getattr(exc, "detail", exc)),
            "fields": {},
        }
    return response
