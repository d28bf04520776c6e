"""Shortlisting (voordracht): a closed round sends entries on to the next round, either the top
of its frozen official order or by hand. Every change is audited; the shortlist is private
until the edition's results are published (see results.selectors.outcome_of)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common import audit
from common.models import Actor, User
from jury import services
from jury.enums import RoundState
from jury.models import ResultSnapshot, Round, Shortlisting
from prijzen.models import Edition, Entry


class ShortlistError(services.JuryError):
    code = "shortlist_error"


def why_fixed(round_: Round) -> tuple[str, str] | None:
    """Why the round's shortlist cannot change now, as (code, message); None when it can.
    It can while the round is closed (its order is frozen), the results are not published
    and no round that judges this shortlist has started. The page shows its buttons only
    when this is None."""
    if round_.state != RoundState.CLOSED:
        return (
            "round_not_closed",
            _("Close the round first: a shortlist is made from the frozen results."),
        )
    if Edition.objects.get(pk=round_.edition_id).results_public:
        return ("published", _("The results are published: decisions can no longer change."))
    if round_.next_rounds.exclude(state=RoundState.DRAFT).exists():
        return (
            "next_round_started",
            _("The next round has started: its entries can no longer change."),
        )
    return None


def _lock_editable(round_: Round) -> Round:
    """Lock the round (and its edition) and check its shortlist may change (``why_fixed``)."""
    locked = Round.objects.select_for_update().get(pk=round_.pk)
    Edition.objects.select_for_update().get(pk=locked.edition_id)
    fixed = why_fixed(locked)
    if fixed is not None:
        raise ShortlistError(fixed[1], code=fixed[0])
    return locked


def frozen_order(round_: Round) -> list[tuple[int, int]]:
    """(entry id, rank) in the official order of the round's latest results certificate."""
    snapshot = ResultSnapshot.objects.filter(round=round_).first()
    return [(entry_id, rank) for entry_id, rank, _score in (snapshot.ranking if snapshot else [])]


def shortlist_top(*, round_: Round, count: int, actor: User) -> list[int]:
    """Make the top ``count`` of the frozen order the shortlist (entries added by hand stay).
    Refuses when a tie crosses the boundary: the organiser then decides by hand.
    Side effect: one audit row with the entries."""
    if count < 1:
        raise ShortlistError(_("Choose at least one entry."), code="count_too_small")
    with transaction.atomic():
        locked = _lock_editable(round_)
        order = frozen_order(locked)
        if count > len(order):
            raise ShortlistError(
                ngettext(
                    "The round ranked only %(n)d entry.",
                    "The round ranked only %(n)d entries.",
                    len(order),
                )
                % {"n": len(order)},
                code="count_too_large",
            )
        top = [entry_id for entry_id, rank in order if rank <= count]
        if len(top) > count:
            tied = [entry_id for entry_id, rank in order if rank == order[count - 1][1]]
            numbers = Entry.objects.filter(pk__in=tied).order_by("number")
            raise ShortlistError(
                _(
                    "Entries %(numbers)s share place %(rank)s, so the top %(count)s is not "
                    "clear. Choose among them by hand."
                )
                % {
                    "numbers": ", ".join(str(e.number) for e in numbers),
                    "rank": order[count - 1][1],
                    "count": count,
                },
                code="tie_at_boundary",
            )
        Shortlisting.objects.filter(round=locked, how=Shortlisting.How.TOP).delete()
        present = set(Shortlisting.objects.filter(round=locked).values_list("entry_id", flat=True))
        Shortlisting.objects.bulk_create(
            Shortlisting(round=locked, entry_id=e, how=Shortlisting.How.TOP, added_by=actor)
            for e in top
            if e not in present
        )
        audit.record(actor=actor, action="shortlist_top", obj=locked, count=count, entries=top)
    return top


def add_to_shortlist(*, round_: Round, entry: Entry, actor: User) -> Shortlisting:
    """Add one entry the round judged. Side effect: an audit row."""
    with transaction.atomic():
        locked = _lock_editable(round_)
        if not services.round_entries(locked).filter(pk=entry.pk).exists():
            raise ShortlistError(
                _("This entry was not judged in this round."), code="entry_not_in_round"
            )
        item, created = Shortlisting.objects.get_or_create(
            round=locked,
            entry=entry,
            defaults={"how": Shortlisting.How.BY_HAND, "added_by": actor},
        )
        if created:
            audit.record(actor=actor, action="shortlist_add", obj=locked, entry=entry.pk)
    return item


def remove_from_shortlist(*, round_: Round, entry: Entry, actor: Actor) -> None:
    """Take one entry off the shortlist. Side effect: an audit row."""
    with transaction.atomic():
        locked = _lock_editable(round_)
        deleted, _rows = Shortlisting.objects.filter(round=locked, entry=entry).delete()
        if deleted:
            audit.record(actor=actor, action="shortlist_remove", obj=locked, entry=entry.pk)
