"""A round's life cycle as the organiser runs it: open (when it is ready), close (in
``jury.certificates``, with the certificate) and reopen (with a reason). Every change goes through
``services.transition_round``; what a round still misses before it can open is said by
``opening_problems``, which the page shows and ``open_round`` enforces."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common import audit
from common.errors import InvalidTransition
from common.models import Actor
from jury import services
from jury.enums import RoundState
from jury.models import Assignment, Round
from prijzen.enums import ResultsState

REASON_MAX = 1000


def opening_problems(round_: Round) -> list[str]:
    """What keeps a draft round from opening, in the organiser's words (empty: it may open).
    A rubric whose counted criteria weigh something; the round it follows (a shortlist)
    closed; entries to judge; enough jury members who accepted; every entry assigned to as
    many of them as the round asks, without conflicts; a deadline still ahead."""
    problems = []
    criteria = list(round_.criteria.all())
    if not criteria:
        problems.append(_("The round has no rubric yet: add at least one criterion."))
    elif sum(c.weight for c in criteria if c.counted) <= 0:
        problems.append(_("The criteria that count have a total weight of 0."))
    source = round_.source_round
    if source is not None and source.state != RoundState.CLOSED:
        problems.append(
            _("The round this one follows (%(name)s) is not closed yet.") % {"name": source.name}
        )
    if round_.closes_at <= timezone.now():
        problems.append(_("The deadline has passed: set a later deadline first."))
    entries = set(services.round_entries(round_).values_list("pk", flat=True))
    if not entries:
        problems.append(_("There are no entries to judge."))
    k = round_.jurors_per_entry
    active = {m.user_id for m in round_.members.all() if m.active}
    if len(active) < k:
        problems.append(
            ngettext(
                "%(active)s jury member has accepted; the round needs %(k)s.",
                "%(active)s jury members have accepted; the round needs %(k)s.",
                len(active),
            )
            % {"active": len(active), "k": k}
        )
    conflicts = services.conflict_pairs(round_)
    assigned = Counter(
        entry
        for user, entry in Assignment.objects.filter(round=round_).values_list("user", "entry")
        if user in active and (user, entry) not in conflicts
    )
    short = sum(1 for entry in entries if assigned[entry] < k)
    if entries and short:
        problems.append(
            ngettext(
                "%(n)s entry has fewer than %(k)s jury members assigned: make an assignment "
                "proposal and commit it.",
                "%(n)s entries have fewer than %(k)s jury members assigned: make an assignment "
                "proposal and commit it.",
                short,
            )
            % {"n": short, "k": k}
        )
    return problems


def open_round(*, round_: Round, actor: Actor) -> Round:
    """draft → open when nothing is missing (else JuryError with everything that is).
    Jury members can score from ``opens_at``: opening before then opens it at that moment."""
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_.pk)
        if locked.state != RoundState.DRAFT:
            raise InvalidTransition(_("Only a round in preparation can be opened."))
        problems = opening_problems(locked)
        if problems:
            raise services.JuryError(" ".join(problems), code="not_ready")
        return services.transition_round(round_id=locked.pk, to=RoundState.OPEN, actor=actor)


def reopen_round(
    *, round_: Round, reason: str, actor: Actor, closes_at: datetime | None = None
) -> Round:
    """closed → open again, with a written reason (audited) and, when the deadline has passed,
    a new one (``closes_at``). Not when a round that follows it has started or the edition's
    results are out. Its certificate is made again at the next close
    (``jury.certificates.close_round``)."""
    reason = (reason or "").strip()
    if not reason:
        raise services.JuryError(_("Write down why the round opens again."), code="no_reason")
    if len(reason) > REASON_MAX:
        raise services.JuryError(
            _("Keep the reason under %(n)s characters.") % {"n": REASON_MAX}, code="too_long"
        )
    with transaction.atomic():
        locked = Round.objects.select_for_update().select_related("edition").get(pk=round_.pk)
        if locked.state != RoundState.CLOSED:
            raise InvalidTransition(_("Only a closed round can be reopened."))
        if locked.edition.results_state != ResultsState.PRIVATE:
            raise services.JuryError(
                _(
                    "The results of this edition are published or scheduled: the round stays "
                    "closed."
                ),
                code="results_out",
            )
        if Round.objects.filter(source_round=locked).exclude(state=RoundState.DRAFT).exists():
            raise services.JuryError(
                _("A round that follows this one has started: the round stays closed."),
                code="followed",
            )
        now = timezone.now()
        if closes_at is not None and closes_at <= max(now, locked.opens_at):
            raise services.JuryError(_("Choose a new deadline in the future."), code="past")
        if closes_at is None and locked.closes_at <= now:
            raise services.JuryError(
                _("The deadline has passed: choose a new deadline to reopen the round."),
                code="deadline_passed",
            )
        changes = {"closes_at": closes_at} if closes_at is not None else {}
        opened = services.transition_round(
            round_id=locked.pk, to=RoundState.OPEN, actor=actor, **changes
        )
        audit.record(
            actor=actor,
            action="round_reopened",
            obj=opened,
            reason=reason,
            closes_at=opened.closes_at.isoformat(),
        )
    return opened
