"""Two-step sign-in: who needs it, and the middleware that holds everyone else at the door.

The rule (one owner): organisers, staff and superusers always need a second step (a code from
an authenticator app, or a one-time recovery code); jury members need it when an edition they
judge asks for it (``Edition.jury_second_factor``). The codes are django-otp's TOTP and static
devices; the pages are in ``web.accounts.second_factor_views``.

An e-mail link alone never opens an account that needs the second step: a session signed in by
link (``SIGNED_IN_BY_LINK``) may use an existing authenticator, but it may not set up the first
one for an organiser: that takes the password (see ``may_set_up``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import user_has_device

from common.api import error_body
from jury.models import JuryMember

# Set in the session by a sign-in through an e-mail link (the sign-in link, a jury invitation).
SIGNED_IN_BY_LINK = "signed_in_by_link"

# Pages a signed-in person may use before the second step: the steps themselves, signing out,
# the language switch and the health check.
OPEN_BEFORE_SECOND_STEP = (
    "second-factor-setup",
    "second-factor-verify",
    "logout",
    "set_language",
    "healthz",
)


def privileged(user) -> bool:
    """Organisers, staff and superusers: the accounts to protect most."""
    return user.is_authenticated and (user.is_organiser or user.is_staff or user.is_superuser)


def second_factor_required(user) -> bool:
    """Whether this account must pass the second step before it can use the platform."""
    if privileged(user):
        return True
    if not user.is_authenticated:
        return False
    # Any account, whatever its role: an entrant invited to a jury keeps the role "entrant".
    return JuryMember.objects.filter(
        user=user, dropped_out_at__isnull=True, round__edition__jury_second_factor=True
    ).exists()


def may_set_up(request) -> bool:
    """Whether this session may set up a first authenticator: not for an account that needs
    the second step when it was signed in by e-mail link only (that would let whoever reads
    the mailbox in). People who already have one may add another after the second step."""
    user = request.user
    if user_has_device(user):
        return user.is_verified()
    return not (privileged(user) and request.session.get(SIGNED_IN_BY_LINK))


def forget_link_sign_in(sender, request, user, **kwargs):
    """``user_logged_in``: every sign-in starts as a password sign-in; the link views mark
    theirs afterwards."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(SIGNED_IN_BY_LINK, None)


class SecondFactorMiddleware:
    """After django-otp's OTPMiddleware: a signed-in person who needs the second step and has
    not passed it reaches only OPEN_BEFORE_SECOND_STEP; pages send them to the step (with
    ``next``), the API (session sign-in) answers 403 in its error shape. API tokens are not
    sessions: they are checked by the API itself and are unaffected."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match and match.url_name in OPEN_BEFORE_SECOND_STEP:
            return None
        if request.path.startswith(("/static/", "/favicon")):
            return None
        if not second_factor_required(user):
            return None
        if request.path.startswith("/api/"):
            message = _("Complete two-step sign-in on the website first.")
            return JsonResponse(error_body("second_factor_required", message), status=403)
        step = "second-factor-verify" if user_has_device(user) else "second-factor-setup"
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
