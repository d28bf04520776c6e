"""The domain error tree. Services raise these; views and the API turn them into one clear
response (a Dutch message in the UI), never a 500."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class DomainError(Exception):
    code = "domain_error"
    default_message = _("This action is not possible.")

    def __init__(
        self, message: str | StrPromise | None = None, *, code: str | None = None, **params: Any
    ) -> None:
        self.message: str | StrPromise = message or self.default_message
        if code:
            self.code = code
        self.params = params
        super().__init__(str(self.message))


class NotAllowed(DomainError):
    code = "not_allowed"
    default_message = _("You may not do this.")


class InvalidTransition(DomainError):
    code = "invalid_transition"
    default_message = _("This step is not possible in the current state.")
