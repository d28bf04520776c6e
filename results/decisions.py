"""Decisions and the announcement: winners per category with the jury's motivation, kept
private until the edition's results are published (at a scheduled moment or by a publish
action), then the outcome e-mails.

The embargo has one switch, ``Edition.results_state``; every public reader of awards and
shortlists (pages, API, e-mails, entrants' status) goes through ``results.selectors``, which
checks it (``outcome_of``, ``public_awards``, the ``outcome`` annotation). Only organisers'
pages read them directly."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from common import audit, statemachine
from common.errors import DomainError, InvalidTransition
from common.jobs import queue_after_commit
from common.models import Actor, User
from jury.feedback import feedback_for
from prijzen.enums import RESULTS_TRANSITIONS, EntryState, Outcome, ResultsState
from prijzen.models import Award, Edition, Entry
from results.selectors import outcome_of

logger = logging.getLogger(__name__)


class DecisionError(DomainError):
    code = "decision_error"


def transition_results(*, edition_id: int, to: str, actor: Actor = None, **changes: Any) -> Edition:
    """The one place that changes ``Edition.results_state`` (locks, checks the table, audits)."""
    return statemachine.transition(
        model=Edition,
        pk=edition_id,
        to=to,
        table=RESULTS_TRANSITIONS,
        actor=actor,
        field="results_state",
        **changes,
    )


def _require_private(edition: Edition) -> None:
    if edition.results_state == ResultsState.PUBLISHED:
        raise DecisionError(
            _("The results are published: decisions can no longer change."), code="published"
        )


# --- Winners ----------------------------------------------------------------------------------


def winners_wait_until(edition: Edition, *, now: datetime | None = None) -> datetime | None:
    """The one rule of when winners may be chosen: once entries are in, after the deadline
    and its upload grace period. The moment to wait for, or None when it has passed."""
    now = now or timezone.now()
    return edition.grace_ends_at if now < edition.grace_ends_at else None


def _clean_motivation(motivation: str) -> str:
    motivation = (motivation or "").strip()
    if not motivation:
        raise DecisionError(_("Write the jury's motivation."), code="motivation_missing")
    if len(motivation) > 3000:
        raise DecisionError(
            _("The motivation can be at most 3000 characters."), code="motivation_too_long"
        )
    return motivation


def record_award(*, entry: Entry, motivation: str, actor: User) -> Award:
    """Make ``entry`` a winner of its category with the jury's motivation. Only submitted
    entries, once each, and only before publication. Side effect: an audit row."""
    motivation = _clean_motivation(motivation)
    with transaction.atomic():
        edition = Edition.objects.select_for_update().get(pk=entry.edition_id)
        _require_private(edition)
        if entry.state != EntryState.SUBMITTED:
            raise DecisionError(_("Only a submitted entry can win."), code="entry_not_submitted")
        wait = winners_wait_until(edition)
        if wait is not None:
            raise DecisionError(
                _("Entries are still coming in until %(moment)s: choose the winners after that.")
                % {"moment": timezone.localtime(wait).strftime("%d-%m-%Y %H:%M")},
                code="entries_open",
            )
        if Award.objects.filter(entry=entry).exists():
            raise DecisionError(_("This entry is already a winner."), code="already_winner")
        award = Award.objects.create(
            entry=entry, category_id=entry.category_id, motivation=motivation, decided_by=actor
        )
        audit.record(actor=actor, action="award_recorded", obj=award, entry=entry.pk)
    return award


def change_motivation(*, award: Award, motivation: str, actor: User) -> Award:
    """Change a winner's motivation before publication. Side effect: an audit row with the
    old and the new text."""
    motivation = _clean_motivation(motivation)
    with transaction.atomic():
        _require_private(Edition.objects.select_for_update().get(pk=award.entry.edition_id))
        locked = Award.objects.select_for_update().get(pk=award.pk)
        old, locked.motivation, locked.decided_by = locked.motivation, motivation, actor
        locked.save(update_fields=["motivation", "decided_by", "updated_at"])
        audit.record(actor=actor, action="award_changed", obj=locked, old=old, new=motivation)
    return locked


def remove_award(*, award: Award, actor: Actor) -> None:
    """Undo a winner decision before publication. Side effect: an audit row."""
    with transaction.atomic():
        edition = Edition.objects.select_for_update().get(pk=award.entry.edition_id)
        _require_private(edition)
        audit.record(actor=actor, action="award_removed", obj=award, entry=award.entry_id)
        award.delete()


def set_share_feedback(*, edition: Edition, value: bool, actor: Actor) -> Edition:
    """Whether entrants who did not win get their scores per criterion and the jury's remarks
    (without names) in the outcome e-mail. Side effect: an audit row."""
    with transaction.atomic():
        locked = Edition.objects.select_for_update().get(pk=edition.pk)
        _require_private(locked)
        locked.share_feedback = value
        locked.save(update_fields=["share_feedback", "updated_at"])
        audit.record(actor=actor, action="share_feedback", obj=locked, value=value)
    return locked


def set_jury_second_factor(*, edition: Edition, value: bool, actor: Actor) -> Edition:
    """Whether the jury members of this edition need two-step sign-in (organisers always do;
    the rule is ``web.accounts.second_factor.second_factor_required``). Audited."""
    with transaction.atomic():
        locked = Edition.objects.select_for_update().get(pk=edition.pk)
        locked.jury_second_factor = value
        locked.save(update_fields=["jury_second_factor", "updated_at"])
        audit.record(actor=actor, action="jury_second_factor", obj=locked, value=value)
    return locked


# --- The announcement -----------------------------------------------------------------------


def schedule_results(*, edition: Edition, at: datetime, actor: Actor) -> Edition:
    """Publish automatically at ``at`` (the beat task ``publish_due_results`` does it)."""
    if at <= timezone.now():
        raise DecisionError(
            _("Choose a moment in the future, or publish now."), code="moment_in_past"
        )
    if edition.results_state == ResultsState.SCHEDULED:  # move the moment
        with transaction.atomic():
            locked = Edition.objects.select_for_update().get(pk=edition.pk)
            if locked.results_state != ResultsState.SCHEDULED:  # published meanwhile
                raise InvalidTransition(code="invalid_transition")
            locked.results_publish_at = at
            locked.save(update_fields=["results_publish_at", "updated_at"])
            audit.record(actor=actor, action="results_rescheduled", obj=locked, at=at.isoformat())
        return locked
    return transition_results(
        edition_id=edition.pk, to=ResultsState.SCHEDULED, actor=actor, results_publish_at=at
    )


def cancel_schedule(*, edition: Edition, actor: Actor) -> Edition:
    return transition_results(
        edition_id=edition.pk, to=ResultsState.PRIVATE, actor=actor, results_publish_at=None
    )


def publish_results(*, edition: Edition, actor: Actor = None) -> Edition:
    """Release the decisions: public pages, the API and the entrants' status pages show them
    from now on. Side effect after commit: the outcome e-mails are queued (one task)."""
    with transaction.atomic():
        published = transition_results(
            edition_id=edition.pk,
            to=ResultsState.PUBLISHED,
            actor=actor,
            results_published_at=timezone.now(),
        )
        queue_after_commit("prijzen.tasks.send_outcome_mails", published.pk)
    return published


def publish_due_results(*, now: datetime | None = None) -> int:
    """Publish every edition whose scheduled moment has come (beat task). Returns how many."""
    now = now or timezone.now()
    due = Edition.objects.filter(results_state=ResultsState.SCHEDULED, results_publish_at__lte=now)
    count = 0
    for edition in due:
        try:
            publish_results(edition=edition)
        except DomainError:  # published in the meantime by an organiser
            continue
        count += 1
    return count


# --- Outcome e-mails --------------------------------------------------------------------------


def send_outcome_mails(*, edition_id: int) -> int:
    """One outcome e-mail per submitted entry of a published edition. Idempotent: each entry
    is claimed with a conditional update, so a retried task sends nothing twice."""
    entries = Entry.objects.filter(
        edition_id=edition_id,
        state=EntryState.SUBMITTED,
        outcome_sent_at__isnull=True,
        edition__results_state=ResultsState.PUBLISHED,
    ).values_list("pk", flat=True)
    sent = 0
    for entry_id in list(entries):
        claimed = Entry.objects.filter(pk=entry_id, outcome_sent_at__isnull=True).update(
            outcome_sent_at=timezone.now()
        )
        if not claimed:
            continue
        try:
            send_outcome_mail(entry_id=entry_id)
        except Exception:
            Entry.objects.filter(pk=entry_id).update(outcome_sent_at=None)  # retry later
            logger.exception("outcome e-mail not sent", extra={"entry_id": entry_id})
            raise
        sent += 1
    return sent


def send_outcome_mail(*, entry_id: int) -> None:
    entry = Entry.objects.select_related("edition", "category", "initiative__owner").get(
        pk=entry_id
    )
    outcome = outcome_of(entry)
    if outcome is None:  # only sent for published editions (send_outcome_mails)
        raise ValueError(f"entry {entry_id}: the results of its edition are not public")
    feedback = None
    if outcome != Outcome.WINNER and entry.edition.share_feedback:
        feedback = feedback_for(entry)
    award = Award.objects.filter(entry=entry).first()
    context = {
        "entry": entry,
        "outcome": outcome,
        "award": award,
        "feedback": feedback,
        "site_url": settings.SITE_URL,
    }
    subjects: dict[str, str] = {
        Outcome.WINNER: _("Congratulations: %(initiative)s wins in %(edition)s"),
        Outcome.NOMINEE: _("%(initiative)s is nominated in %(edition)s"),
        Outcome.NOT_SELECTED: _("Thank you for taking part in %(edition)s"),
    }
    EmailMessage(
        subject=subjects[outcome]
        % {"initiative": entry.initiative.name, "edition": entry.edition.name},
        body=render_to_string("prijzen/email/outcome.txt", context),
        to=[entry.initiative.owner.email],
    ).send()
