"""Sign-in by e-mail link: no password needed, and the address is verified on the way.

The same request works for new and known addresses and always gets the same answer, so nobody
can find out which addresses have an account. Requests are rate-limited per address, per
address and client together, and (higher, as many people can share one network address) per
client; whoever hits a limit is told so. A link works once, for a short time.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common import audit
from common.errors import DomainError
from common.identity import canonical_email
from common.models import LoginLink, User

logger = logging.getLogger(__name__)

LINK_MINUTES = 30
MAX_PER_EMAIL_PER_HOUR = 10  # from all clients together: nobody's mailbox gets flooded
MAX_PER_EMAIL_AND_CLIENT_PER_HOUR = 5
MAX_PER_IP_PER_HOUR = 100  # an office, a school or a mobile network shares one address


class TooManyLinks(DomainError):
    """A limit is reached. The same for known and unknown addresses (links are counted for
    every address asked for), so it tells nothing about accounts."""

    code = "too_many_links"
    default_message = gettext_lazy(
        "Too many sign-in links were asked for. Wait an hour, then try again."
    )


class LinkInvalid(DomainError):
    code = "link_invalid"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_link(*, email: str, ip: str = "", next_url: str = "") -> bool:
    """Send a sign-in link to ``email`` (the same for known and unknown addresses: no
    account enumeration). Raises TooManyLinks when a rate limit is reached (nothing is sent or
    stored then) and InvalidEmail for an address without a canonical form."""
    email = canonical_email(email)
    hour_ago = timezone.now() - timedelta(hours=1)
    recent = LoginLink.objects.filter(created_at__gte=hour_ago)
    ip = ip[:64]
    by_email = recent.filter(email=email)
    if (
        by_email.count() >= MAX_PER_EMAIL_PER_HOUR
        or by_email.filter(requested_ip=ip).count() >= MAX_PER_EMAIL_AND_CLIENT_PER_HOUR
        or (ip and recent.filter(requested_ip=ip).count() >= MAX_PER_IP_PER_HOUR)
    ):
        logger.warning("sign-in link rate limit", extra={"ip": ip})
        raise TooManyLinks()
    token = secrets.token_urlsafe(32)
    LoginLink.objects.create(
        email=email,
        token_hash=_hash(token),
        requested_ip=ip,
        expires_at=timezone.now() + timedelta(minutes=LINK_MINUTES),
        next_url=next_url[:200],
    )
    url = settings.SITE_URL + reverse("magic-link", args=[token])
    context = {"url": url, "minutes": LINK_MINUTES}
    transaction.on_commit(
        lambda: send_mail(
            subject=_("Your sign-in link for the Volunteer prizes"),
            message=render_to_string("common/email/magic_link.txt", context),
            from_email=None,
            recipient_list=[email],
        )
    )
    return True


def redeem_link(*, token: str) -> tuple[User, str]:
    """Use a link once: returns the (possibly new) user, now with a verified address, and the
    page to go to. Raises LinkInvalid for an unknown, used or expired link."""
    with transaction.atomic():
        link = LoginLink.objects.select_for_update().filter(token_hash=_hash(token)).first()
        now = timezone.now()
        if link is None or link.used_at is not None or link.expires_at <= now:
            raise LinkInvalid(
                _("This sign-in link no longer works. Ask for a new link below."),
            )
        link.used_at = now
        link.save(update_fields=["used_at"])
        user = User.objects.filter(email=link.email).first()
        if user is None:
            user = User.objects.create_user(link.email)
            audit.record(actor=user, action="account_created", obj=user)
        if user.email_verified_at is None:
            user.email_verified_at = now
            user.save(update_fields=["email_verified_at"])
        if not user.is_active:
            raise LinkInvalid(_("This account is blocked. Contact the organisers."))
    return user, link.next_url
