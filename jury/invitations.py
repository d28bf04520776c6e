"""Inviting jury members: an e-mail link, accepting it with the confidentiality terms."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common import audit
from jury.models import JuryMember, Round
from jury.services import JuryError

INVITATION_DAYS = 7  # the link is a credential: a week is enough to accept


def invite_juror(*, round_: Round, email: str, name: str = "", actor) -> JuryMember:
    """Invite someone to score in a round: an account (role juror) if there is none, and an
    e-mail with a link to accept (valid for INVITATION_DAYS, once)."""
    from common.enums import Role
    from common.identity import canonical_email
    from common.models import User

    email = canonical_email(email)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, name=name, role=Role.JUROR
        )
        member, _created = JuryMember.objects.update_or_create(
            round=round_, user=user,
            defaults={"invitation_hash": _hash(token), "invited_at": timezone.now()},
        )  # fmt: skip
        audit.record(actor=actor, action="juror_invited", obj=member, email=email)
        url = settings.SITE_URL + reverse("jury-invitation", args=[token])
        body = render_to_string("jury/email/invitation.txt", {"round": round_, "url": url,
                                                              "days": INVITATION_DAYS})  # fmt: skip
        transaction.on_commit(lambda: send_mail(
            subject=_("Invitation: jury of %(edition)s") % {"edition": round_.edition.name},
            message=body, from_email=None, recipient_list=[email],
        ))  # fmt: skip
    return member


def invitation(token: str) -> JuryMember:
    """The member a (still valid, unused) invitation link belongs to."""
    member = (
        JuryMember.objects.select_related("round__edition", "user")
        .filter(invitation_hash=_hash(token))
        .first()
    )
    expired = member and member.invited_at < timezone.now() - timedelta(days=INVITATION_DAYS)
    if member is None or expired:
        raise JuryError(
            _("This invitation link no longer works. Ask the organisers for a new one."),
            code="invitation_invalid",
        )
    return member


def accept_invitation(*, token: str, terms_accepted: bool) -> JuryMember:
    """Accept the invitation and the confidentiality terms (both are needed to see entries).
    The link can be used once; the e-mail address counts as verified."""
    if not terms_accepted:
        raise JuryError(_("Accept the confidentiality terms to take part."), code="terms")
    with transaction.atomic():
        member = invitation(token)
        now = timezone.now()
        member.accepted_at = member.accepted_at or now
        member.terms_accepted_at = now
        member.invitation_hash = None
        member.save(update_fields=["accepted_at", "terms_accepted_at", "invitation_hash",
                                   "updated_at"])  # fmt: skip
        if member.user.email_verified_at is None:
            member.user.email_verified_at = now
            member.user.save(update_fields=["email_verified_at"])
        audit.record(actor=member.user, action="invitation_accepted", obj=member)
    return member


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
