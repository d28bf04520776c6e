"""Who may see which editions and entries: the one place that decides."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from media_pipeline.models import Rendition
from prijzen.models import Edition, Entry


def editions() -> QuerySet[Edition]:
    return Edition.objects.prefetch_related("categories").order_by("-year", "name")


def open_editions() -> QuerySet[Edition]:
    now = timezone.now()
    return editions().filter(entries_open_at__lte=now, entries_close_at__gt=now)


def entries_visible_to(user) -> QuerySet[Entry]:
    """Organisers see every entry; entrants their own initiatives' entries; others nothing
    (jurors get their assigned entries when the jury module assigns them)."""
    from jury.models import Assignment

    in_review = Assignment.objects.filter(entry=OuterRef("pk"), round__state="open")
    qs = (
        Entry.objects.select_related("edition", "category", "initiative", "vlog")
        .prefetch_related(Prefetch("vlog__renditions", queryset=Rendition.objects.all()))
        .annotate(in_review=Exists(in_review))
    )
    if not user.is_authenticated:
        return qs.none()
    if user.is_organiser:
        return qs
    return qs.filter(initiative__owner=user)


def entries_of_entrant(user) -> QuerySet[Entry]:
    """The entries a user may change as entrant: those of initiatives they own."""
    if not user.is_authenticated:
        return Entry.objects.none()
    return Entry.objects.select_related("edition", "category", "initiative", "vlog",
                                        "pending_vlog").filter(initiative__owner=user)  # fmt: skip


def initiative_of(user):
    from prijzen.models import Initiative

    if not user.is_authenticated:
        return None
    return Initiative.objects.filter(owner=user).order_by("pk").first()
