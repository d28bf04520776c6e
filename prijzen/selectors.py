"""Who may see which editions and entries: the one place that decides."""

from __future__ import annotations

from django.db.models import (
    F,
    Q,
    QuerySet,
)
from django.utils import timezone

from common.models import AnyUser, AuditLog
from prijzen.models import Consent, Edition, Entry, Initiative


def editions() -> QuerySet[Edition]:
    return Edition.objects.prefetch_related("categories").order_by("-year", "name")


def open_editions() -> QuerySet[Edition]:
    now = timezone.now()
    return editions().filter(entries_open_at__lte=now, entries_close_at__gt=now)


def entries_of_entrant(user: AnyUser) -> QuerySet[Entry]:
    """The entries a user may change as entrant: those of initiatives they own."""
    if not user.is_authenticated:
        return Entry.objects.none()
    return Entry.objects.select_related(
        "edition", "category", "initiative", "vlog", "pending_vlog"
    ).filter(initiative__owner=user)


def initiative_of(user: AnyUser) -> Initiative | None:
    if not user.is_authenticated:
        return None
    return Initiative.objects.filter(owner=user).order_by("pk").first()


def edition_entries(
    edition: Edition,
    *,
    q: str = "",
    category: str = "",
    state: str = "",
    vlog: str = "",
    province: str = "",
) -> QuerySet[Entry]:
    """The organisers' list of an edition's entries, searched and filtered, by number."""
    entries = (
        Entry.objects.filter(edition=edition)
        .select_related("category", "initiative", "vlog")
        .order_by(F("number").asc(nulls_last=True), "pk")  # drafts (no number yet) last
    )
    if q:
        match = Q(title__icontains=q) | Q(initiative__name__icontains=q)
        entries = entries.filter(match | Q(number=int(q)) if q.isdigit() and len(q) < 10 else match)
    if category:
        entries = entries.filter(category__slug=category)
    if state:
        entries = entries.filter(state=state)
    if vlog:
        entries = entries.filter(vlog__state=vlog)
    if province:
        entries = entries.filter(initiative__province=province)
    return entries


def entry_record(entry: Entry) -> dict[str, list[Consent] | list[AuditLog]]:
    """What organisers see of an entry beyond its page: every consent (given and withdrawn)
    with the wording of its version, and the entry's history from the audit log."""
    consents = Consent.objects.filter(entry=entry).select_related("given_by", "wording")
    history = (
        AuditLog.objects.filter(object_type="prijzen.entry", object_id=str(entry.pk))
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    return {"consents": list(consents.order_by("pk")), "history": list(history)}
