"""Every write to editions and entries that matters."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from common import statemachine
from common.errors import DomainError
from prijzen.enums import ENTRY_TRANSITIONS, EntryState
from prijzen.models import Category, Entry, Initiative


def transition_entry(*, entry_id: int, to: str, actor=None, **changes) -> Entry:
    """The one place that changes ``Entry.state`` (locks, checks the table, audits)."""
    return statemachine.transition(
        model=Entry, pk=entry_id, to=to, table=ENTRY_TRANSITIONS, actor=actor, **changes
    )


def create_entry(
    *,
    initiative: Initiative,
    category: Category,
    title: str,
    summary: str = "",
    answer: str = "",
    vlog=None,
) -> Entry:
    """A new draft entry. Invariant: the category belongs to the entry's edition, and an
    initiative has at most ``edition.entries_per_initiative`` entries that are not withdrawn."""
    edition = category.edition
    with transaction.atomic():
        active = (
            Entry.objects.select_for_update()
            .filter(edition=edition, initiative=initiative)
            .exclude(state=EntryState.WITHDRAWN)
            .count()
        )
        if active >= edition.entries_per_initiative:
            raise DomainError(code="entry_limit")
        return Entry.objects.create(
            edition=edition,
            category=category,
            initiative=initiative,
            title=title,
            summary=summary,
            answer=answer,
            vlog=vlog,
        )


def submit_entry(*, entry: Entry, actor=None) -> Entry:
    """draft → submitted; gives the entry the next number of its edition."""
    with transaction.atomic():
        number = entry.number or (
            (
                Entry.objects.select_for_update()
                .filter(edition_id=entry.edition_id)
                .aggregate(m=Max("number"))["m"]
                or 0
            )
            + 1
        )
        return transition_entry(
            entry_id=entry.pk,
            to=EntryState.SUBMITTED,
            actor=actor,
            number=number,
            submitted_at=timezone.now(),
        )
