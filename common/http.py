"""Small request helpers shared by the apps."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from common.models import AnyUser, User


def safe_next(request, url: str) -> str:
    """``url`` when it points to this site, else '' (no open redirects)."""
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and allowed else ""


def client_ip(request) -> str:
    """The client's address. Behind ``TRUSTED_PROXY_COUNT`` reverse proxies it is taken from
    X-Forwarded-For (the entry those proxies added), else from the connection."""
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if hops and len([p for p in forwarded if p]) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def posted_id(request, name: str) -> int:
    """An object id from the POSTed form; 0 (which matches nothing, so: 404) when it is
    missing or not a whole number."""
    value = request.POST.get(name, "")
    return int(value) if value.isascii() and value.isdigit() else 0


def require_organiser(user: AnyUser) -> None:
    """Organisers' pages and resources do not exist for anyone else: 404, never 403."""
    organiser(user)


def organiser(user: AnyUser) -> User:
    """``user``'s account when it is an organiser's (for services that store who acted);
    404 for anyone else, as ``require_organiser``."""
    if not (isinstance(user, User) and user.is_organiser):
        raise Http404
    return user


def confirmed(request) -> bool:
    """Weighty actions ask once: the form's confirmation box (``confirm=1``) must be ticked;
    when it is not, the person is told so and nothing happens."""
    if request.POST.get("confirm") == "1":
        return True
    messages.error(request, _("Tick the box to confirm."))
    return False
