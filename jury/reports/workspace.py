"""The organisers' home: every edition at a glance, and what needs attention now. Reads only;
a fixed number of queries however many editions, entries and rounds there are (plus three for
each open round whose scores are all in, to find the ties it leaves to decide)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jury import certificates
from jury.enums import ConflictSource, ReviewState, RoundState
from jury.models import Conflict, JuryMember, Round
from jury.selectors import visible_assignments
from media_pipeline.enums import AssetState
from prijzen.enums import EntryState, ResultsState
from prijzen.models import Edition

WAITING = (
    AssetState.AWAITING_UPLOAD,
    AssetState.UPLOADED,
    AssetState.PROBING,
    AssetState.PROCESSING,
)
REFUSED = (AssetState.REJECTED, AssetState.FAILED)


@dataclass
class EditionOverview:
    edition: Edition
    rounds: list[Round] = field(default_factory=list)
    attention: list[tuple[str, str]] = field(default_factory=list)  # (text, address)


def _count(path: str, **conditions) -> Count:
    return Count(
        path, filter=Q(**{f"{path}__{k}": v for k, v in conditions.items()}), distinct=True
    )


def _per_round(rows) -> Coalesce:
    """How many of ``rows`` belong to the round, as a subquery: counting members,
    assignments and conflicts of a round in one join would multiply them by each other."""
    counted = (
        rows.filter(round=OuterRef("pk"))
        .order_by()
        .values("round")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def edition_overviews() -> list[EditionOverview]:
    """Editions (newest first) with their entries by state and vlog state, their rounds with
    panel acceptance and scoring progress, and the list of things to do."""
    editions = list(
        Edition.objects.order_by("-year", "name").annotate(
            drafts=_count("entries", state=EntryState.DRAFT),
            submitted=_count("entries", state=EntryState.SUBMITTED),
            withdrawn=_count("entries", state=EntryState.WITHDRAWN),
            vlogs_waiting=_count("entries", vlog__state__in=WAITING),
            vlogs_refused=_count("entries", vlog__state__in=REFUSED),
            gallery_waiting=_count(
                "entries", state=EntryState.SUBMITTED, gallery_approved_at__isnull=True
            ),
        )
    )
    rounds = (
        Round.objects.filter(edition__in=editions)
        .select_related("category")
        .annotate(
            invited=_per_round(JuryMember.objects.in_jury()),
            accepted=_per_round(JuryMember.objects.active()),
            # The assignments jurors may see, as selectors.progress counts them.
            assigned=_per_round(visible_assignments()),
            scored=_per_round(visible_assignments().filter(review__state=ReviewState.SUBMITTED)),
            conflicts_to_review=_per_round(
                Conflict.objects.filter(
                    source=ConflictSource.DETECTED,
                    dismissed_at__isnull=True,
                    review_decided_by__isnull=True,
                )
            ),
        )
        .order_by("opens_at", "pk")
    )
    overviews = {edition.pk: EditionOverview(edition) for edition in editions}
    for round_ in rounds:
        overviews[round_.edition_id].rounds.append(round_)
    for overview in overviews.values():
        overview.attention = _attention(overview)
    return list(overviews.values())


def _annotated(obj: Edition | Round, name: str) -> int:
    """A count that edition_overviews annotated on the edition or round (the model's type
    does not know the names)."""
    count: int = getattr(obj, name)
    return count


def _attention(overview: EditionOverview) -> list[tuple[str, str]]:
    edition, todo = overview.edition, []
    entries = reverse("edition-entries", args=[edition.slug])
    if _annotated(edition, "vlogs_waiting"):
        todo.append(
            (
                ngettext(
                    "%(n)s vlog is not processed yet.",
                    "%(n)s vlogs are not processed yet.",
                    _annotated(edition, "vlogs_waiting"),
                )
                % {"n": _annotated(edition, "vlogs_waiting")},
                entries,
            )
        )
    if _annotated(edition, "vlogs_refused"):
        todo.append(
            (
                ngettext(
                    "%(n)s vlog was refused or failed.",
                    "%(n)s vlogs were refused or failed.",
                    _annotated(edition, "vlogs_refused"),
                )
                % {"n": _annotated(edition, "vlogs_refused")},
                entries,
            )
        )
    if edition.gallery_review and _annotated(edition, "gallery_waiting"):
        todo.append(
            (
                ngettext(
                    "%(n)s entry waits for approval for the gallery.",
                    "%(n)s entries wait for approval for the gallery.",
                    _annotated(edition, "gallery_waiting"),
                )
                % {"n": _annotated(edition, "gallery_waiting")},
                entries,
            )
        )
    for round_ in overview.rounds:
        page = reverse("jury-round", args=[round_.pk])
        waiting = _annotated(round_, "invited") - _annotated(round_, "accepted")
        if waiting and round_.state != RoundState.CLOSED:
            todo.append(
                (
                    ngettext(
                        "%(name)s: %(n)s jury member has not accepted yet.",
                        "%(name)s: %(n)s jury members have not accepted yet.",
                        waiting,
                    )
                    % {"name": round_.name, "n": waiting},
                    page,
                )
            )
        if _annotated(round_, "conflicts_to_review"):
            todo.append(
                (
                    ngettext(
                        "%(name)s: %(n)s conflict of interest found to review.",
                        "%(name)s: %(n)s conflicts of interest found to review.",
                        _annotated(round_, "conflicts_to_review"),
                    )
                    % {"name": round_.name, "n": _annotated(round_, "conflicts_to_review")},
                    page,
                )
            )
        assigned = _annotated(round_, "assigned")
        complete = assigned and _annotated(round_, "scored") == assigned
        ties = (
            certificates.undecided_ties(round_)
            if complete and round_.state == RoundState.OPEN
            else 0
        )
        if ties:
            todo.append(
                (
                    ngettext(
                        "%(name)s: all scores are in; %(n)s tie to decide before closing.",
                        "%(name)s: all scores are in; %(n)s ties to decide before closing.",
                        ties,
                    )
                    % {"name": round_.name, "n": ties},
                    reverse("jury-round-ranking", args=[round_.pk]),
                )
            )
        if round_.state == RoundState.DRAFT:
            todo.append(
                (
                    _("%(name)s: in preparation; open it when it is ready.")
                    % {"name": round_.name},
                    page,
                )
            )
    closed = any(r.state == RoundState.CLOSED for r in overview.rounds)
    if closed and edition.results_state == ResultsState.PRIVATE:
        todo.append(
            (
                _("The results are not published or scheduled yet."),
                reverse("results-manage", args=[edition.slug]),
            )
        )
    return todo
