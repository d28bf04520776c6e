"""Every write of the jury module: rounds, conflicts of interest, assignment and reviews."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any, cast

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common import audit, statemachine
from common.errors import DomainError, NotAllowed
from common.models import Actor, User
from jury import selectors
from jury.compute import solver
from jury.enums import (
    REVIEW_TRANSITIONS,
    ROUND_TRANSITIONS,
    ConflictSource,
    GeographyRule,
    ReviewState,
    RoundState,
    TieKind,
)
from jury.models import Assignment, Conflict, JurorTie, JuryMember, Review, Round, Shortlisting
from prijzen.enums import EntryState
from prijzen.models import Edition, Entry
from prijzen.municipalities import provinces_by_municipality


class JuryError(DomainError):
    code = "jury_error"


def transition_round(*, round_id: int, to: str, actor: Actor = None, **changes: Any) -> Round:
    """The one place that changes ``Round.state`` (locks, checks the table, audits), with
    ``changes`` saved in the same step."""
    return statemachine.transition(
        model=Round, pk=round_id, to=to, table=ROUND_TRANSITIONS, actor=actor, **changes
    )


def round_entries(round_: Round) -> QuerySet[Entry]:
    """The submitted entries a round judges: its category (or the whole edition), and when it
    follows another round, only that round's shortlist."""
    entries = Entry.objects.filter(edition_id=round_.edition_id, state=EntryState.SUBMITTED)
    if round_.source_round_id:
        shortlisted = Shortlisting.objects.filter(round_id=round_.source_round_id)
        entries = entries.filter(pk__in=shortlisted.values("entry_id"))
    if round_.category_id:
        entries = entries.filter(category_id=round_.category_id)
    return entries.select_related("initiative")


# --- Conflicts of interest ------------------------------------------------------------------


def _tie_reasons(ties: list[JurorTie], entry: Entry, rule: str) -> list[str]:
    """Why the ties conflict with the entry: the same organisation always; the same
    municipality or province when the round's geography rule says so."""
    initiative = entry.initiative
    provinces = provinces_by_municipality()
    reasons = []
    for tie in ties:
        value = tie.value.strip().casefold()
        if tie.kind in (TieKind.ORGANISATION, TieKind.BOARD):
            if value == initiative.name.strip().casefold():
                reasons.append(_("Tied to the initiative %(name)s.") % {"name": initiative.name})
            continue
        if rule == GeographyRule.MUNICIPALITY and tie.kind == TieKind.MUNICIPALITY:
            if value == initiative.municipality.casefold():
                reasons.append(
                    _("Same municipality: %(place)s.") % {"place": initiative.municipality}
                )
        elif rule == GeographyRule.PROVINCE:
            province = tie.value if tie.kind == TieKind.PROVINCE else provinces.get(tie.value, "")
            if province.casefold() == initiative.province.casefold():
                reasons.append(_("Same province: %(place)s.") % {"place": initiative.province})
    return reasons


def find_conflicts(*, round_: Round, user: User) -> list[tuple[Entry, str]]:
    """The conflicts the recorded ties of ``user`` would give in this round, without storing
    them (organisers check this before inviting someone)."""
    ties = list(JurorTie.objects.filter(user=user))
    found = []
    for entry in round_entries(round_):
        if entry.initiative.owner_id == user.pk:
            found.append((entry, _("Entered by this person.")))
        found += [(entry, reason) for reason in _tie_reasons(ties, entry, round_.geography_rule)]
    return found


def _limit(field: str) -> int:
    """The length of one of the conflict's text columns (every one has a max_length)."""
    column = cast("models.Field[Any, Any]", Conflict._meta.get_field(field))  # a text column
    return cast(int, column.max_length)


def written_reason(reason: str, field: str) -> str:
    """The one rule of a reason someone writes about a conflict (``Conflict.<field>``): not
    empty, and within the column, never cut short silently. The page forms and the API's
    serializers take their length from the same column."""
    text = reason.strip()
    if not text:
        raise JuryError(_("Tell us briefly why."), code="reason_required")
    if len(text) > _limit(field):
        raise JuryError(
            _("Keep the reason to %(limit)s characters (now %(length)s).")
            % {"limit": _limit(field), "length": len(text)},
            code="reason_too_long",
        )
    return text


def detect_conflicts(*, round_: Round) -> int:
    """Store the conflicts found from the ties of every jury member of the round. Returns
    how many are new; dismissed ones stay dismissed."""
    created = 0
    with transaction.atomic():
        for member in round_.members.select_related("user"):
            for entry, reason in find_conflicts(round_=round_, user=member.user):
                _conflict, new = Conflict.objects.get_or_create(
                    round=round_,
                    entry=entry,
                    user=member.user,
                    source=ConflictSource.DETECTED,
                    defaults={"reason": reason[: _limit("reason")]},  # our own words
                )
                created += new
    return created


def declare_conflict(*, round_: Round, entry: Entry, user: User, reason: str) -> Conflict:
    """A juror declares a conflict with an entry. An assignment without a submitted review is
    taken away at once (the juror recuses); a submitted review stops counting until an
    organiser decides otherwise (``decide_conflicted_review``)."""
    reason = written_reason(reason, "reason")
    with transaction.atomic():
        conflict, _new = Conflict.objects.update_or_create(
            round=round_,
            entry=entry,
            user=user,
            source=ConflictSource.DECLARED,
            defaults={"reason": reason, "dismissed_at": None},
        )
        open_work = Assignment.objects.filter(round=round_, entry=entry, user=user).exclude(
            review__state=ReviewState.SUBMITTED
        )
        open_work.delete()
        audit.record(actor=user, action="conflict_declared", obj=conflict, reason=reason)
    return conflict


def dismiss_conflict(*, conflict: Conflict, reason: str, actor: User) -> Conflict:
    """An organiser dismisses a detected conflict as a false positive, with a reason."""
    if conflict.source != ConflictSource.DETECTED:
        raise JuryError(_("Only a conflict found from ties can be dismissed."), code="declared")
    reason = written_reason(reason, "dismissal_reason")
    conflict.dismissed_at = timezone.now()
    conflict.dismissed_by = actor
    conflict.dismissal_reason = reason
    with transaction.atomic():
        conflict.save(update_fields=["dismissed_at", "dismissed_by", "dismissal_reason"])
        audit.record(actor=actor, action="conflict_dismissed", obj=conflict, reason=reason)
    return conflict


def conflict_pairs(round_: Round) -> set[tuple[int, int]]:
    """(juror id, entry id) pairs of the round that may not be assigned: an active conflict
    whose review the organiser did not keep, or the juror's own entry
    (``selectors.conflicted`` says the same for queries)."""
    declared_or_found = Conflict.objects.filter(
        round=round_, dismissed_at__isnull=True, review_kept=False
    ).values_list("user_id", "entry_id")
    own = (
        round_entries(round_)
        .filter(initiative__owner__jury_memberships__round=round_)
        .values_list("initiative__owner_id", "pk")
    )
    return set(declared_or_found) | set(own)


def decide_conflicted_review(
    *, conflict: Conflict, keep: bool, reason: str, actor: User
) -> Conflict:
    """An organiser decides whether the review a juror submitted before declaring (or being
    found to have) a conflict counts in the ranking. Until then it does not."""
    reason = written_reason(reason, "review_decision_reason")
    if conflict.entry.initiative.owner_id == conflict.user_id:
        raise JuryError(_("A review of one's own entry never counts."), code="own_entry")
    with transaction.atomic():
        conflict.review_kept = keep
        conflict.review_decided_by = actor
        conflict.review_decision_reason = reason
        conflict.save(update_fields=["review_kept", "review_decided_by", "review_decision_reason"])
        audit.record(
            actor=actor,
            action="conflicted_review_kept" if keep else "conflicted_review_excluded",
            obj=conflict,
            reason=reason,
        )
    return conflict


# --- Assignment -----------------------------------------------------------------------------


def propose_assignment(*, round_: Round) -> solver.Proposal | solver.Infeasible:
    """A balanced, conflict-free proposal with k jurors per entry. Reviews already submitted
    stay where they are; open assignments are kept where possible."""
    members = list(round_.members.all())
    active = [m for m in members if m.active]
    existing = Assignment.objects.filter(round=round_).values_list(
        "user_id", "entry_id", "review__state"
    )
    conflicts = conflict_pairs(round_)
    # A submitted review with a conflict does not count: its entry needs another juror.
    submitted = [(u, e) for u, e, state in existing if state == ReviewState.SUBMITTED]
    return solver.solve_assignment(
        entries=list(round_entries(round_).values_list("pk", flat=True)),
        jurors=[m.user_id for m in members],
        k=round_.jurors_per_entry,
        conflicts=conflicts,
        caps={m.user_id: m.max_load for m in active if m.max_load is not None},
        fixed=[pair for pair in submitted if pair not in conflicts],
        excluded=[m.user_id for m in members if not m.active],
        prefer=[(u, e) for u, e, state in existing if state != ReviewState.SUBMITTED],
        seed=round_.pk,
    )


def proposal_hash(proposal: solver.Proposal) -> str:
    """Identifies a proposal, so that only the proposal an organiser was shown is committed."""
    return hashlib.sha256(json.dumps(sorted(proposal.pairs())).encode()).hexdigest()


def commit_shown_assignment(*, round_: Round, shown: str, actor: Actor) -> int:
    """Commit the proposal the organiser was shown (``proposal_hash``), recomputed now; when
    anything changed meanwhile (a member, a conflict, a review), it is refused."""
    proposal = propose_assignment(round_=round_)
    if isinstance(proposal, solver.Infeasible) or proposal_hash(proposal) != shown:
        raise JuryError(
            _("Something changed meanwhile. Look at the new proposal."), code="stale_proposal"
        )
    return commit_assignment(round_=round_, proposal=proposal, actor=actor)


def infeasible_reasons(infeasible: solver.Infeasible) -> list[str]:
    """Why no assignment is possible, one sentence per reason (in the active language)."""
    texts = {
        solver.ENTRY_TOO_FEW_JURORS: _(
            "Entry %(entry)s needs %(needed)s jury members; available: %(available)s (with a "
            "conflict of interest: %(conflicted)s, not active: %(excluded)s, at their maximum: "
            "%(full)s)."
        ),
        solver.CAPACITY_TOO_SMALL: _(
            "%(needed)s reviews are needed, but the jury members can do at most %(capacity)s."
        ),
        solver.GROUP_TOO_FEW_JURORS: _(
            "Entries %(entries)s need %(needed)s reviews together; their possible jury "
            "members can do at most %(capacity)s."
        ),
        solver.FIXED_PAIR_CONFLICTED: _(
            "Jury member %(juror)s has a submitted review of entry %(entry)s and a conflict."
        ),
        solver.ENTRY_OVER_ASSIGNED: _(
            "Entry %(entry)s has %(assigned)s submitted reviews; %(needed)s are needed."
        ),
    }
    return [
        texts[reason.code]
        % {
            k: (", ".join(map(str, v)) if isinstance(v, tuple | list) else v)
            for k, v in reason.params.items()
        }
        for reason in infeasible.reasons
    ]


def add_tie(*, user: User, kind: str, value: str) -> JurorTie:
    """A jury member records a tie (a place, an organisation, a board seat); recording the
    same one twice keeps one."""
    tie, _created = JurorTie.objects.get_or_create(user=user, kind=kind, value=value.strip())
    return tie


def remove_tie(*, user: User, pk: str | int) -> None:
    """A jury member removes one of their own ties."""
    if not (str(pk).isdecimal() and JurorTie.objects.filter(user=user, pk=pk).delete()[0]):
        raise JuryError(_("This tie was not found; it may be removed already."), code="not_found")


def commit_assignment(*, round_: Round, proposal: solver.Proposal, actor: Actor) -> int:
    """Make the proposal the round's assignment: open assignments that are no longer in it
    go, new ones come; submitted reviews are never touched. Returns how many pairs changed."""
    wanted = proposal.pairs()
    if wanted & conflict_pairs(round_):
        raise JuryError(_("The proposal contains a conflict of interest."), code="conflict")
    with transaction.atomic():
        current = {
            (a.user_id, a.entry_id): a
            for a in Assignment.objects.select_for_update(of=("self",))
            .filter(round=round_)
            .select_related("review")
        }
        removed = [
            a
            for pair, a in current.items()
            if pair not in wanted
            and getattr(getattr(a, "review", None), "state", None) != ReviewState.SUBMITTED
        ]
        Assignment.objects.filter(pk__in=[a.pk for a in removed]).delete()
        added = [
            Assignment(round=round_, user_id=u, entry_id=e)
            for u, e in sorted(wanted - set(current))
        ]
        Assignment.objects.bulk_create(added)
        audit.record(
            actor=actor,
            action="assignment_committed",
            obj=round_,
            added=len(added),
            removed=len(removed),
        )
    return len(added) + len(removed)


# --- Reviews --------------------------------------------------------------------------------


def _require_open(round_: Round) -> None:
    now = timezone.now()
    if round_.state != RoundState.OPEN or not (round_.opens_at <= now < round_.closes_at):
        raise JuryError(_("Scoring is not possible now: the round is not open."), code="closed")


def review_for(*, assignment: Assignment, user: User) -> Review:
    """The juror's review of an assignment (made on first use). Only for the assigned, active
    juror without a conflict."""
    if assignment.user_id != user.pk:
        raise NotAllowed()
    member = JuryMember.objects.filter(round_id=assignment.round_id, user=user).first()
    if member is None or not member.active:
        raise JuryError(
            _("Accept the invitation and the confidentiality terms first."), code="not_accepted"
        )
    if (user.pk, assignment.entry_id) in conflict_pairs(assignment.round):
        raise JuryError(_("You have a conflict of interest with this entry."), code="conflict")
    review, _created = Review.objects.get_or_create(assignment=assignment)
    return review


def _parse_scores(round_: Round, scores: dict[str, object]) -> dict[str, str]:
    criteria = {str(c.pk): c for c in round_.criteria.all()}
    parsed = {}
    for key, raw in scores.items():
        criterion = criteria.get(str(key))
        if criterion is None:
            raise JuryError(_("This criterion is not part of the form."), code="criterion")
        if raw in (None, ""):
            continue
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            raise JuryError(_("Fill in a number."), code="not_a_number") from None
        if not value.is_finite():  # NaN, Infinity
            raise JuryError(_("Fill in a number."), code="not_a_number")
        low, high = Decimal(criterion.scale_min), Decimal(criterion.scale_max)
        if not (low <= value <= high) or ((value - low) / criterion.step) % 1 != 0:
            raise JuryError(
                _("%(criterion)s: give a score from %(low)s to %(high)s in steps of %(step)s.")
                % {
                    "criterion": criterion.name_nl,
                    "low": low,
                    "high": high,
                    "step": criterion.step.normalize(),
                },
                code="out_of_scale",
            )
        parsed[str(key)] = str(value)
    return parsed


def save_review(*, review: Review, user: User, version: int, data: dict[str, Any]) -> Review:
    """Store a draft (or change a submitted review while the round is open). ``version`` must
    be the one the form was loaded with: a second tab cannot silently overwrite the first.
    Every change is kept in the audit log with the old and new values."""
    round_ = review.assignment.round
    _require_open(round_)
    review_for(assignment=review.assignment, user=user)
    scores = _parse_scores(round_, data.get("scores", {}))
    with transaction.atomic():
        locked = _locked(review, version)
        old = {
            "scores": locked.scores,
            "comments": locked.comments,
            "overall_comment": locked.overall_comment,
        }
        locked.scores = {**locked.scores, **scores}
        locked.comments = {**locked.comments, **data.get("comments", {})}
        locked.overall_comment = data.get("overall_comment", locked.overall_comment)
        locked.notes = data.get("notes", locked.notes)
        if locked.opened_at is None:  # saved without opening (the API): the clock starts now
            locked.opened_at = timezone.now()
        reported = Decimal(str(data.get("watched_seconds", 0)))
        # The browser's number, never more than the wall time since the page was opened.
        locked.watched_seconds = max(locked.watched_seconds, min(reported, _open_for(locked)))
        locked.version += 1
        if locked.state == ReviewState.SUBMITTED:
            locked.weighted_total = weighted_total(round_, locked.scores)
        locked.save()
        new = {
            "scores": locked.scores,
            "comments": locked.comments,
            "overall_comment": locked.overall_comment,
        }
        if new != old:
            audit.record(actor=user, action="review_changed", obj=locked, old=old, new=new)
    return locked


def weighted_total(round_: Round, scores: dict[str, str]) -> Decimal | None:
    """sum(score * weight) / sum(weight) over the counted criteria that have a score."""
    total = weights = Decimal(0)
    for criterion in round_.criteria.filter(counted=True):
        if str(criterion.pk) in scores:
            total += Decimal(scores[str(criterion.pk)]) * criterion.weight
            weights += criterion.weight
    return (total / weights).quantize(Decimal("0.001")) if weights else None


def _locked(review: Review, version: int) -> Review:
    """The review's row, locked until the transaction ends, if it is still at ``version``
    (the one the juror's form or API call was based on) and may still change. Every check
    and computation of a change is made on this row, never on the caller's copy."""
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if locked.version != version:
        raise JuryError(
            _(
                "This review was changed in another window. Reload the page to see the "
                "latest version; your changes were not saved."
            ),
            code="stale",
        )
    if locked.is_final:
        raise JuryError(
            _("Your review is final: you have seen the other jury members' scores."),
            code="final",
        )
    return locked


def others_shown(*, assignment: Assignment, review: Review) -> list[Review] | None:
    """The other jury members' submitted reviews the juror may see now (the round's policy:
    ``selectors.other_reviews``). Showing at least one makes the juror's submitted review
    final, so nobody can adjust their score to the others'."""
    others = selectors.other_reviews(assignment, review)
    if others and review.state == ReviewState.SUBMITTED and review.others_seen_at is None:
        review.others_seen_at = timezone.now()
        Review.objects.filter(pk=review.pk, others_seen_at__isnull=True).update(
            others_seen_at=review.others_seen_at
        )
    return others


def submit_review(*, review: Review, user: User, version: int) -> Review:
    """Check the review (all required criteria, the watch minimum) and submit it with its
    weighted total, all on the locked row: a save in another window cannot slip between
    the checks and the total."""
    round_ = review.assignment.round
    _require_open(round_)
    review_for(assignment=review.assignment, user=user)
    with transaction.atomic():
        review = _locked(review, version)
        _check_complete(round_, review)
        return statemachine.transition(
            model=Review,
            pk=review.pk,
            to=ReviewState.SUBMITTED,
            table=REVIEW_TRANSITIONS,
            actor=user,
            weighted_total=weighted_total(round_, review.scores),
            submitted_at=timezone.now(),
            version=review.version + 1,
        )


def _check_complete(round_: Round, review: Review) -> None:
    missing = [
        c.name_nl for c in round_.criteria.filter(required=True) if str(c.pk) not in review.scores
    ]
    if missing:
        raise JuryError(
            _("Give a score for: %(criteria)s.") % {"criteria": ", ".join(missing)},
            code="incomplete",
        )
    watch = watch_progress(round_, review)
    if watch is not None and not watch.enough:
        raise JuryError(
            _("Watch at least %(seconds)s seconds of the vlog before you submit.")
            % {"seconds": watch.needed},
            code="watch_more",
        )


# --- Watch time -----------------------------------------------------------------------------

# The scoring page sends a heartbeat every HEARTBEAT_INTERVAL seconds while the player plays.
HEARTBEAT_INTERVAL = 10
# One heartbeat counts at most this many seconds since the previous one ...
HEARTBEAT_MAX_STEP = 15
# ... and one after a longer silence starts a new stretch (counts nothing).
HEARTBEAT_GAP = 30


@dataclass(frozen=True)
class WatchProgress:
    """The watch minimum of a review: what the server measured against what is needed."""

    heard: Decimal
    needed: Decimal

    @property
    def tolerance(self) -> Decimal:
        """At most one heartbeat interval (a lost last heartbeat), never more than a tenth
        of what is needed."""
        return min(Decimal(HEARTBEAT_INTERVAL), self.needed / 10)

    @property
    def enough(self) -> bool:
        return self.heard + self.tolerance >= self.needed


def watch_progress(round_: Round, review: Review) -> WatchProgress | None:
    """The one rule for "watched enough": the server-measured ``heard_seconds`` (from
    heartbeats, plus the tolerance) against the round's share of the vlog's duration. The
    number the browser reports (``watched_seconds``) does not count. None when the round
    asks no minimum (or the vlog has no known duration)."""
    vlog = review.assignment.entry.vlog
    if not (round_.min_watch_share and vlog is not None and vlog.duration):
        return None
    needed = (vlog.duration * round_.min_watch_share).quantize(Decimal("0.1"))
    return WatchProgress(heard=review.heard_seconds, needed=needed)


def _open_for(review: Review) -> Decimal:
    """Seconds since the juror first opened the review (0 when never opened)."""
    if review.opened_at is None:
        return Decimal(0)
    seconds = max((timezone.now() - review.opened_at).total_seconds(), 0)
    return Decimal(str(seconds)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def mark_opened(review: Review) -> Review:
    """Remember when the juror first opened the review (scoring page or API): the cap on the
    watch time the browser reports. Set once."""
    if review.opened_at is None and review.pk is not None:
        now = timezone.now()
        if Review.objects.filter(pk=review.pk, opened_at__isnull=True).update(opened_at=now):
            review.opened_at = now
        else:
            review.opened_at = Review.objects.values_list("opened_at", flat=True).get(pk=review.pk)
    return review


def heartbeat(*, review: Review, user: User, start: bool = False) -> Review:
    """The player is playing: add the seconds since the previous heartbeat (at most
    HEARTBEAT_MAX_STEP) to the server-measured ``heard_seconds``. After a silence of more
    than HEARTBEAT_GAP seconds, or with ``start`` (playback resumes), a new stretch starts
    and nothing is added. A closed round or a submitted review changes nothing (JuryError)."""
    round_ = review.assignment.round
    _require_open(round_)
    review_for(assignment=review.assignment, user=user)
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if locked.state == ReviewState.SUBMITTED:
            raise JuryError(
                _("Your review is submitted: watch time no longer counts."), code="submitted"
            )
        now = timezone.now()
        last = locked.last_heartbeat_at
        if not start and last is not None:
            since = (now - last).total_seconds()
            if 0 < since <= HEARTBEAT_GAP:
                step = Decimal(str(min(since, HEARTBEAT_MAX_STEP)))
                locked.heard_seconds += step.quantize(Decimal("0.1"), rounding=ROUND_DOWN)
        locked.last_heartbeat_at = now
        locked.save(update_fields=["heard_seconds", "last_heartbeat_at", "updated_at"])
    return locked


def reopen_review(*, review: Review, user: User) -> Review:
    """The juror reopens their submitted review to change it, while the round is open and
    they have not seen the others' scores."""
    _require_open(review.assignment.round)
    review_for(assignment=review.assignment, user=user)
    with transaction.atomic():
        review = _locked(review, review.version)
        return statemachine.transition(
            model=Review,
            pk=review.pk,
            to=ReviewState.DRAFT,
            table=REVIEW_TRANSITIONS,
            actor=user,
            version=review.version + 1,
        )


def copy_round(*, source: Round, edition: Edition, actor: Actor) -> Round:
    """A new (draft) round for ``edition`` with the policy and rubric of ``source``: a new
    edition starts from the previous one."""
    with transaction.atomic():
        criteria = list(source.criteria.all())
        copy = Round.objects.get(pk=source.pk)
        copy.pk = None
        copy.edition = edition
        copy.category = None
        copy.state = RoundState.DRAFT
        copy.save()
        for criterion in criteria:
            criterion.pk = None
            criterion.round = copy
        copy.criteria.model.objects.bulk_create(criteria)
        audit.record(actor=actor, action="round_copied", obj=copy, source=source.pk)
    return copy


def rubric_locked(round_: Round) -> bool:
    """The rubric cannot change once the first score is in."""
    return Review.objects.filter(assignment__round=round_).exclude(scores={}).exists()


def send_reminders(*, round_: Round) -> int:
    """E-mail every active juror of the round who still has open work. Returns how many."""
    emails = sorted(set(selectors.open_work(round_).values_list("user__email", flat=True)))
    url = settings.SITE_URL + reverse("jury-home")
    for email in emails:
        body = render_to_string("jury/email/reminder.txt", {"round": round_, "url": url})
        send_mail(
            subject=_("Reminder: %(round)s closes on %(date)s")
            % {
                "round": round_.name,
                "date": timezone.localtime(round_.closes_at).strftime("%d-%m-%Y %H:%M"),
            },
            message=body,
            from_email=None,
            recipient_list=[email],
        )
    audit.record(actor=None, action="reminders_sent", obj=round_, count=len(emails))
    return len(emails)


def due_reminders(*, now: datetime | None = None) -> int:
    """Rounds that close within their reminder period and were not reminded today."""
    now = now or timezone.now()
    sent = 0
    for round_ in Round.objects.filter(state=RoundState.OPEN, closes_at__gt=now):
        due = round_.closes_at - timedelta(days=round_.reminder_days_before)
        last = round_.reminded_at
        if round_.reminder_days_before and now >= due and (last is None or last < due):
            sent += send_reminders(round_=round_)
            Round.objects.filter(pk=round_.pk).update(reminded_at=now)
    return sent
