"""Personal API tokens: organisers make them for their own scripts and tools.

A token reads ``vpt_<prefix>_<secret>``. The whole string is shown once, when it is made;
only its SHA-256 hash is stored, so a database leak gives no working tokens. A token is found
by its hash (an index lookup: no secret is ever compared byte by byte in Python). The prefix
is public and tells tokens apart in lists and in the audit log.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from common import audit
from common.errors import DomainError, NotAllowed
from common.models import ApiToken

TOKEN_PREFIX = "vpt_"
MAX_LIFETIME = timedelta(days=366)  # a year, also a leap year
# last_used_at is written at most this often per token (no write on every request).
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(DomainError):
    code = "token_error"


class TokenInvalid(DomainError):
    """Unknown, expired or revoked: the API answers 401."""

    code = "token_invalid"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def may_use_api_tokens(user) -> bool:
    """The one rule for who may make and use API tokens: an active organiser. Token
    authentication asks it on every request, so a token stops the moment its owner is no
    longer allowed (also when the role changed without revoke_tokens_of_user)."""
    return bool(user.is_authenticated and user.is_active and user.is_organiser)


def tokens_of(user) -> QuerySet[ApiToken]:
    """The tokens a user may see and revoke: their own."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def create_token(*, user, name: str, scope: str, expires_at, now=None) -> tuple[ApiToken, str]:
    """Make a token for ``user`` (an organiser). Returns the token and its secret, which is
    not stored and cannot be shown again. The expiry lies in the future, at most a year on.
    Side effects: one audit row (without the secret)."""
    now = now or timezone.now()
    if not may_use_api_tokens(user):
        raise NotAllowed(_("Only organisers can make API tokens."), code="not_allowed")
    name = (name or "").strip()
    if not name:
        raise TokenError(_("Give the token a name."), code="name")
    if scope not in ApiToken.Scope.values:
        raise TokenError(_("Choose what the token may do."), code="scope")
    if expires_at <= now:
        raise TokenError(_("The end date must lie in the future."), code="expires_at")
    if expires_at > now + MAX_LIFETIME:
        raise TokenError(_("A token works for one year at most."), code="expires_at")
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            scope=scope,
            prefix=prefix,
            token_hash=hash_token(raw),
            created_at=now,
            expires_at=expires_at,
        )
        audit.record(
            actor=user,
            action="api_token_created",
            obj=token,
            prefix=prefix,
            scope=scope,
            expires_at=expires_at.isoformat(),
        )
    return token, raw


def revoke_token(*, token: ApiToken, actor) -> ApiToken:
    """Stop a token at once. Its owner revokes it (or a superuser, e.g. for a leaked token of
    a colleague); revoking twice changes nothing. Side effects: one audit row."""
    if token.user_id != actor.pk and not actor.is_superuser:
        raise NotAllowed()
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit.record(actor=actor, action="api_token_revoked", obj=locked, prefix=locked.prefix)
    return locked


def revoke_tokens_of_user(*, user, actor) -> int:
    """Revoke every token of ``user`` that still works, when the account may no longer use
    tokens (its role changed away from organiser, or it was blocked). Does nothing while the
    account may still use them. Call it wherever a role or the active flag changes (the
    admin's user form does). Returns how many were revoked. Side effects: one audit row per
    revoked token, with the reason (``blocked`` or ``not_organiser``)."""
    if may_use_api_tokens(user):
        return 0
    reason = "blocked" if not user.is_active else "not_organiser"
    now = timezone.now()
    with transaction.atomic():
        active = list(
            ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
        )
        for token in active:
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            audit.record(
                actor=actor,
                action="api_token_revoked",
                obj=token,
                prefix=token.prefix,
                reason=reason,
            )
    return len(active)


def authenticate(*, raw: str, now=None) -> ApiToken:
    """The active token for the string a client sent, with its user. Raises TokenInvalid
    (with a message in the active language) for an unknown, revoked or expired token or a
    blocked account. Notes the time of use (at most once a minute)."""
    now = now or timezone.now()
    token = None
    if raw.startswith(TOKEN_PREFIX) and len(raw) < 200:
        token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
    if token is None:
        raise TokenInvalid(_("This API token is not valid."), code="token_invalid")
    if token.revoked_at is not None:
        raise TokenInvalid(_("This API token has been revoked."), code="token_revoked")
    if token.expires_at <= now:
        raise TokenInvalid(_("This API token has expired."), code="token_expired")
    if not token.user.is_active:
        raise TokenInvalid(_("This account is blocked. Contact the organisers."), code="blocked")
    if not may_use_api_tokens(token.user):
        raise TokenInvalid(
            _("This API token no longer works: the account is no longer an organiser."),
            code="not_organiser",
        )
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
