"""What may be known of judging and decisions, and by whom: the embargo lives here.

Awards and shortlists are read only through these functions, which return nothing about them
until the edition's results are published; entrants see their entries' review status and
outcome, the public the gallery (without the entries an anonymous round is judging)."""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from common.models import AnyUser, User
from jury.enums import RoundState
from jury.models import Round, Shortlisting
from jury.selectors import in_anonymous_round
from media_pipeline.enums import AssetState
from media_pipeline.models import Rendition
from prijzen.enums import ConsentKind, EntryState, Outcome, ResultsState
from prijzen.models import Award, Consent, Edition, Entry


def entries_visible_to(user: AnyUser) -> QuerySet[Entry]:
    """Organisers see every entry; entrants their own initiatives' entries; others nothing
    (jurors get their assigned entries when the jury module assigns them)."""
    # "In review": a first-stage round for the entry's edition and category is open. Not from
    # assignments: a later round judges only a shortlist, which must stay private.
    in_review = Round.objects.filter(
        Q(category__isnull=True) | Q(category=OuterRef("category")),
        edition=OuterRef("edition"),
        state=RoundState.OPEN,
        source_round__isnull=True,
    )
    qs = (
        Entry.objects.select_related("edition", "category", "initiative", "vlog")
        .prefetch_related(Prefetch("vlog__renditions", queryset=Rendition.objects.all()))
        .annotate(
            in_review=Case(
                When(state=EntryState.SUBMITTED, then=Exists(in_review)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            outcome=outcome_annotation(),
        )
    )
    if not isinstance(user, User):  # nobody logged in
        return qs.none()
    if user.is_organiser:
        return qs
    return qs.filter(initiative__owner=user)


def outcome_annotation() -> Case:
    """winner / nominee / not_selected for submitted entries of published editions, else ""
    (the embargo: nothing is computed from decisions before publication)."""

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


def outcome_of(entry: Entry) -> str | None:
    """winner / nominee / not_selected once the edition's results are public; else None."""
    outcome = (
        Entry.objects.filter(pk=entry.pk)
        .annotate(outcome=outcome_annotation())
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


def public_awards(edition: Edition) -> dict[int, Award]:
    """Published awards of an edition by entry id (empty under embargo)."""

    if not edition.results_public:
        return {}
    awards = Award.objects.filter(entry__edition=edition).select_related("category")
    return {a.entry_id: a for a in awards}


def public_nominee_ids(edition: Edition) -> set[int]:
    """Entries shortlisted in any round of the edition (empty under embargo)."""

    if not edition.results_public:
        return set()
    return set(
        Shortlisting.objects.filter(round__edition=edition).values_list("entry_id", flat=True)
    )
