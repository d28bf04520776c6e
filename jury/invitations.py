"""Inviting jury members: an e-mail link, accepting it with the confidentiality terms."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common import audit
from common.enums import Role
from common.identity import canonical_email
from common.models import Actor, User
from jury.models import JuryMember, Round
from jury.services import JuryError
from prijzen.enums import WordingKind
from prijzen.models import Edition, Wording
from prijzen.wordings import current_wording

INVITATION_DAYS = 7  # the link is a credential: a week is enough to accept


def invite_juror(*, round_: Round, email: str, name: str = "", actor: Actor) -> JuryMember:
    """Invite someone to score in a round: an account (role juror) if there is none, and an
    e-mail with a link to accept (valid for INVITATION_DAYS, once)."""
    email = canonical_email(email)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, name=name, role=Role.JUROR
        )
        member, _created = JuryMember.objects.update_or_create(
            round=round_,
            user=user,
            defaults={"invitation_hash": _hash(token), "invited_at": timezone.now()},
        )
        audit.record(actor=actor, action="juror_invited", obj=member, email=email)
        url = settings.SITE_URL + reverse("jury-invitation", args=[token])
        body = render_to_string(
            "jury/email/invitation.txt", {"round": round_, "url": url, "days": INVITATION_DAYS}
        )
        transaction.on_commit(
            lambda: send_mail(
                subject=_("Invitation: jury of %(edition)s") % {"edition": round_.edition.name},
                message=body,
                from_email=None,
                recipient_list=[email],
            )
        )
    return member


def invitation(token: str) -> JuryMember:
    """The member a (still valid, unused) invitation link belongs to."""
    member: JuryMember | None = (
        JuryMember.objects.select_related("round__edition", "user")
        .filter(invitation_hash=_hash(token))
        .first()
    )
    if member is None or _expired(member.invited_at):
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
        member.invitation_hash = None
        terms = _record_terms(member, now)
        if member.user.email_verified_at is None:
            member.user.email_verified_at = now
            member.user.save(update_fields=["email_verified_at"])
        audit.record(
            actor=member.user,
            action="invitation_accepted",
            obj=member,
            terms_version=terms.version,
        )
    return member


def accept_terms(*, member: JuryMember, terms_accepted: bool) -> JuryMember:
    """A juror who accepted the invitation accepts the edition's changed confidentiality
    terms (``ask_terms_again``), and sees the entries again."""
    if not terms_accepted:
        raise JuryError(_("Accept the confidentiality terms to take part."), code="terms")
    with transaction.atomic():
        member = (
            JuryMember.objects.select_for_update()
            .select_related("round__edition")
            .get(pk=member.pk)
        )
        if member.accepted_at is None or member.dropped_out_at is not None:
            raise JuryError(_("Accept the invitation from its e-mail first."), code="invitation")
        terms = _record_terms(member, timezone.now())
        audit.record(
            actor=member.user,
            action="terms_accepted",
            obj=member,
            version=terms.version,
        )
    return member


def ask_terms_again(*, edition: Edition, actor: Actor) -> int:
    """The edition's confidentiality terms changed: every juror of its rounds who accepted
    older terms sees no entries until they accept the new ones (their reviews keep counting).
    Returns how many are asked."""
    asked = JuryMember.objects.in_jury().filter(
        round__edition=edition, terms_accepted_at__isnull=False
    )
    count = asked.update(terms_accepted_at=None, updated_at=timezone.now())
    audit.record(actor=actor, action="jury_terms_asked_again", obj=edition, jurors=count)
    return count


def _record_terms(member: JuryMember, now: datetime) -> Wording:
    """Store the acceptance of the current jury terms; returns those terms."""
    member.terms_accepted_at = now
    member.terms_wording = terms = current_wording(member.round.edition, WordingKind.JURY_TERMS)
    member.save(
        update_fields=[
            "accepted_at",
            "terms_accepted_at",
            "terms_wording",
            "invitation_hash",
            "updated_at",
        ]
    )
    return terms


def _expired(invited_at: datetime | None) -> bool:
    """An invitation link is valid for INVITATION_DAYS (one without a time never is)."""
    return invited_at is None or invited_at < timezone.now() - timedelta(days=INVITATION_DAYS)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
