"""Test data for decisions, the embargo and public pages: entries that are public (submitted,
consented, with a ready vlog) and closed rounds with real submitted reviews."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from jury.certificates import close_round
from jury.models import Assignment, Review
from media_pipeline.enums import AssetState, RenditionKind
from media_pipeline.models import MediaAsset, Rendition
from prijzen.enums import ConsentKind, EntryState
from prijzen.models import Consent, Edition
from prijzen.wordings import current_wording
from tests.factories import CriterionFactory, EntryFactory, JuryMemberFactory, RoundFactory


def public_entry(category, *, number: int, consent: bool = True, **fields):
    """A submitted entry with a ready vlog (preview and poster) and, unless told otherwise,
    publication consent."""
    entry = EntryFactory(category=category, state=EntryState.SUBMITTED, number=number, **fields)
    asset = MediaAsset.objects.create(
        owner=entry.initiative.owner, original_key=f"originals/{entry.pk}", state=AssetState.READY
    )
    for kind, ext, mime in [
        (RenditionKind.PREVIEW, "mp4", "video/mp4"),
        (RenditionKind.POSTER, "jpg", "image/jpeg"),
    ]:
        Rendition.objects.create(
            asset=asset,
            kind=kind,
            key=f"renditions/{entry.pk}.{ext}",
            content_type=mime,
            size_bytes=1000,
            width=1280,
            height=720,
        )
    entry.vlog = asset
    entry.save(update_fields=["vlog"])
    if consent:
        Consent.objects.create(
            entry=entry,
            kind=ConsentKind.PUBLICATION,
            wording=current_wording(entry.edition, ConsentKind.PUBLICATION),
        )
    return entry


def entries_closed(edition) -> None:
    """The edition's entry window (and its upload grace period) ended yesterday: the time
    when rounds are judged and winners chosen. An edition already past it stays as it is."""
    now = timezone.now()
    if edition.grace_ends_at <= now:
        return
    Edition.objects.filter(pk=edition.pk).update(
        entries_open_at=now - dt.timedelta(days=40), entries_close_at=now - dt.timedelta(days=1)
    )
    edition.refresh_from_db()


def closed_round(edition, totals: dict, *, category=None, source_round=None, actor=None):
    """A round of ``edition`` whose jurors gave ``totals`` ({entry: [total per juror]}),
    closed with its results certificate; the entry window has ended (``entries_closed``)."""
    entries_closed(edition)
    round_ = RoundFactory(
        edition=edition, category=category, source_round=source_round, official_method="mean"
    )
    criterion = CriterionFactory(round=round_, scale_min=1, scale_max=10)
    width = max(len(v) for v in totals.values())
    members = [JuryMemberFactory(round=round_) for _ in range(width)]
    for entry, scores in totals.items():
        for member, total in zip(members, scores, strict=False):
            assignment = Assignment.objects.create(round=round_, entry=entry, user=member.user)
            Review.objects.create(
                assignment=assignment,
                state="submitted",
                weighted_total=Decimal(total),
                scores={str(criterion.pk): str(total)},
                overall_comment=f"Opmerking van {member.user.email}",
            )
    close_round(round_=round_, actor=actor)
    round_.refresh_from_db()
    return round_
