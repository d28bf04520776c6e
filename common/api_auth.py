"""Authentication of API requests by personal token, and the token's scope. Kept apart from
common.api because DRF imports these classes while rest_framework.views is still loading."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.throttling import SimpleRateThrottle

from common import tokens
from common.http import client_ip
from common.models import ApiToken


class AuthFailureThrottle(SimpleRateThrottle):
    """Attempts with an unknown token per client address (scope ``auth``): guessing. Expired
    and revoked tokens are not guesses and do not count. After too many, every token request
    from that address waits, also one with a correct token."""

    scope = "auth"
    # Set from the scope's rate by SimpleRateThrottle.__init__ (the stubs do not declare them).
    num_requests: int
    duration: int

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}

    def check(self, request) -> None:
        self.key = self.get_cache_key(request)
        self.now = time.time()
        self.history = [t for t in cache.get(self.key, []) if t > self.now - self.duration]
        if len(self.history) >= self.num_requests:
            raise exceptions.Throttled(self.wait())

    def record_failure(self) -> None:
        self.history.insert(0, self.now)
        cache.set(self.key, self.history, self.duration)


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer vpt_...``: a personal API token (see common.tokens).
    Unknown, expired and revoked tokens answer 401; a read-only token may only read."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        throttle = AuthFailureThrottle()
        throttle.check(request)
        try:
            if len(parts) != 2:
                raise tokens.TokenInvalid(_("This API token is not valid."), code="token_invalid")
            token = tokens.authenticate(raw=parts[1].decode("latin-1"))
        except tokens.TokenInvalid as error:
            if error.code == "token_invalid":
                throttle.record_failure()
            raise exceptions.AuthenticationFailed(error.message, code=error.code) from None
        if not token.allows(request.method):
            raise read_only_denied()  # also enforced by TokenScopePermission
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenScopePermission(permissions.BasePermission):
    """A token with the ``read`` scope may only use safe methods (GET, HEAD, OPTIONS)."""

    def has_permission(self, request, view):
        token = request.auth
        if isinstance(token, ApiToken) and not token.allows(request.method):
            raise read_only_denied()
        return True


def read_only_denied() -> exceptions.PermissionDenied:
    return exceptions.PermissionDenied(
        _("This API token may only read. Make a token with write access."),
        code="token_read_only",
    )
