"""Who may see which editions and entries: the one place that decides."""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from common.models import AuditLog
from media_pipeline.models import Rendition
from prijzen.models import Consent, Edition, Entry


def editions() -> QuerySet[Edition]:
    return Edition.objects.prefetch_related("categories").order_by("-year", "name")


def open_editions() -> QuerySet[Edition]:
    now = timezone.now()
    return editions().filter(entries_open_at__lte=now, entries_close_at__gt=now)


def entries_visible_to(user) -> QuerySet[Entry]:
    """Organisers see every entry; entrants their own initiatives' entries; others nothing
    (jurors get their assigned entries when the jury module assigns them)."""
    from jury.models import Round

    # "In review": a first-stage round for the entry's edition and category is open. Not from
    # assignments: a later round judges only a shortlist, which must stay private.
    in_review = Round.objects.filter(
        Q(category__isnull=True) | Q(category=OuterRef("category")),
        edition=OuterRef("edition"),
        state="open",
        source_round__isnull=True,
    )
    qs = (
        Entry.objects.select_related("edition", "category", "initiative", "vlog")
        .prefetch_related(Prefetch("vlog__renditions", queryset=Rendition.objects.all()))
        .annotate(
            in_review=Case(
                When(state="submitted", then=Exists(in_review)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            outcome=_outcome_annotation(),
        )
    )
    if not user.is_authenticated:
        return qs.none()
    if user.is_organiser:
        return qs
    return qs.filter(initiative__owner=user)


def _outcome_annotation() -> Case:
    """winner / nominee / not_selected for submitted entries of published editions, else ""
    (the embargo: nothing is computed from decisions before publication)."""
    from jury.models import Shortlisting
    from prijzen.enums import EntryState, Outcome, ResultsState
    from prijzen.models import Award

    public = Q(edition__results_state=ResultsState.PUBLISHED, state=EntryState.SUBMITTED)
    won = Exists(Award.objects.filter(entry=OuterRef("pk")))
    listed = Exists(Shortlisting.objects.filter(entry=OuterRef("pk")))
    return Case(
        When(public & won, then=Value(Outcome.WINNER.value)),
        When(public & listed, then=Value(Outcome.NOMINEE.value)),
        When(public, then=Value(Outcome.NOT_SELECTED.value)),
        default=Value(""),
        output_field=CharField(),
    )


def entries_of_entrant(user) -> QuerySet[Entry]:
    """The entries a user may change as entrant: those of initiatives they own."""
    if not user.is_authenticated:
        return Entry.objects.none()
    return Entry.objects.select_related(
        "edition", "category", "initiative", "vlog", "pending_vlog"
    ).filter(initiative__owner=user)


def initiative_of(user):
    from prijzen.models import Initiative

    if not user.is_authenticated:
        return None
    return Initiative.objects.filter(owner=user).order_by("pk").first()


# --- Results and public pages -----------------------------------------------------------------
# The embargo lives here: awards and shortlists are read only through these functions, which
# return nothing about them until the edition's results are published.


def outcome_of(entry: Entry) -> str | None:
    """winner / nominee / not_selected once the edition's results are public; else None."""
    outcome = (
        Entry.objects.filter(pk=entry.pk)
        .annotate(outcome=_outcome_annotation())
        .values_list("outcome", flat=True)
        .first()
    )
    return outcome or None


def public_entries(edition: Edition | None = None) -> QuerySet[Entry]:
    """Entries anyone may see: submitted, with active publication consent and a ready vlog,
    and approved by an organiser when the edition asks for that (``gallery_review``).
    Withdrawing consent (or the entry) removes an entry from every public page at once.
    Deliberately ordered by number and annotated with nothing from the jury, so that neither
    sorting nor counts can reveal a decision before publication.

    While a round that hides entrants' names is open, the entries it may judge are not
    public at all: their number, title and texts would otherwise lead a juror from the
    scoring page to the initiative's name in the gallery."""
    from jury.selectors import in_anonymous_round  # jury builds on prijzen, not the reverse
    from media_pipeline.enums import AssetState
    from prijzen.enums import ConsentKind, EntryState
    from prijzen.models import Consent

    consented = Consent.objects.filter(
        entry=OuterRef("pk"), kind=ConsentKind.PUBLICATION, withdrawn_at__isnull=True
    )
    approved = Q(edition__gallery_review=False) | Q(gallery_approved_at__isnull=False)
    qs = (
        Entry.objects.filter(
            approved, Exists(consented), state=EntryState.SUBMITTED, vlog__state=AssetState.READY
        )
        .exclude(in_anonymous_round())
        .select_related("edition", "category", "initiative", "vlog")
        .prefetch_related(Prefetch("vlog__renditions", queryset=Rendition.objects.all()))
        .order_by("number")
    )
    return qs.filter(edition=edition) if edition is not None else qs


def public_awards(edition: Edition) -> dict[int, object]:
    """Published awards of an edition by entry id (empty under embargo)."""
    from prijzen.models import Award

    if not edition.results_public:
        return {}
    awards = Award.objects.filter(entry__edition=edition).select_related("category")
    return {a.entry_id: a for a in awards}


def public_nominee_ids(edition: Edition) -> set[int]:
    """Entries shortlisted in any round of the edition (empty under embargo)."""
    from jury.models import Shortlisting

    if not edition.results_public:
        return set()
    return set(
        Shortlisting.objects.filter(round__edition=edition).values_list("entry_id", flat=True)
    )


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


def entry_record(entry: Entry) -> dict:
    """What organisers see of an entry beyond its page: every consent (given and withdrawn)
    with the wording of its version, and the entry's history from the audit log."""
    consents = Consent.objects.filter(entry=entry).select_related("given_by", "wording")
    history = (
        AuditLog.objects.filter(object_type="prijzen.entry", object_id=str(entry.pk))
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    return {"consents": list(consents.order_by("pk")), "history": list(history)}
