"""Every write to initiatives and entries that matters."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common import audit, statemachine
from common.errors import DomainError
from common.models import Actor, User
from media_pipeline import storage, uploads
from media_pipeline.enums import AssetState, RenditionKind
from media_pipeline.models import MediaAsset
from media_pipeline.services import choose_poster
from prijzen.enums import ENTRY_TRANSITIONS, REQUIRED_CONSENTS, ConsentKind, EntryState
from prijzen.models import Category, Consent, Edition, Entry, Initiative
from prijzen.municipalities import provinces_by_municipality
from prijzen.wordings import current_wording, current_wordings

logger = logging.getLogger(__name__)

INITIATIVE_FIELDS = ("name", "municipality", "contact_name", "phone", "website", "description")
ENTRY_FIELDS = ("title", "summary", "answer")


class EntryError(DomainError):
    code = "entry_error"


def transition_entry(*, entry_id: int, to: str, actor: Actor = None, **changes: Any) -> Entry:
    """The one place that changes ``Entry.state`` (locks, checks the table, audits)."""
    return statemachine.transition(
        model=Entry, pk=entry_id, to=to, table=ENTRY_TRANSITIONS, actor=actor, **changes
    )


# --- Window -------------------------------------------------------------------------------


def check_window(edition: Edition, *, now: datetime | None = None) -> None:
    """Entering and editing are possible only while the edition's entry window is open."""
    now = now or timezone.now()
    if now < edition.entries_open_at:
        raise EntryError(
            _("Entering is not possible yet. Entries open on %(date)s.")
            % {"date": _local(edition.entries_open_at)},
            code="not_open_yet",
        )
    if now >= edition.entries_close_at:
        raise _closed(edition)


def _closed(edition: Edition) -> EntryError:
    return EntryError(
        _("The deadline has passed (%(date)s). You can no longer change your entry.")
        % {"date": _local(edition.entries_close_at)},
        code="closed",
    )


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d-%m-%Y %H:%M")


# --- Initiative ---------------------------------------------------------------------------


def save_initiative(
    *, owner: User, data: dict[str, Any], initiative: Initiative | None = None
) -> Initiative:
    """Create or update the owner's initiative; the province follows from the municipality."""
    province = provinces_by_municipality().get(data.get("municipality", ""))
    if province is None:
        raise EntryError(_("Choose your municipality from the list."), code="municipality")
    initiative = initiative or Initiative(owner=owner)
    if initiative.owner_id != owner.pk:
        raise EntryError(code="not_yours")
    for name in INITIATIVE_FIELDS:
        setattr(initiative, name, data.get(name, "") or "")
    initiative.province = province
    with transaction.atomic():
        initiative.save()
        audit.record(actor=owner, action="initiative_saved", obj=initiative)
    return initiative


# --- Entry --------------------------------------------------------------------------------


def _lock_entry_limit(*, edition: Edition, initiative_id: int) -> None:
    """The one check of ``edition.entries_per_initiative``, for every path that makes an entry
    active (a new entry, a withdrawn one taken back). Locks the initiative first, so two
    requests at once cannot both pass; call it inside the transaction that makes the change."""
    Initiative.objects.select_for_update().get(pk=initiative_id)
    active = (
        Entry.objects.filter(edition=edition, initiative_id=initiative_id)
        .exclude(state=EntryState.WITHDRAWN)
        .count()
    )
    if active >= edition.entries_per_initiative:
        raise EntryError(
            _("Your initiative has already entered this edition. You can change that entry."),
            code="entry_limit",
        )


def create_entry(
    *,
    initiative: Initiative,
    category: Category,
    title: str,
    summary: str = "",
    answer: str = "",
    vlog: MediaAsset | None = None,
) -> Entry:
    """A new draft entry. Invariant: the category belongs to the entry's edition, and an
    initiative has at most ``edition.entries_per_initiative`` entries that are not withdrawn."""
    edition = category.edition
    with transaction.atomic():
        _lock_entry_limit(edition=edition, initiative_id=initiative.pk)
        return Entry.objects.create(
            edition=edition,
            category=category,
            initiative=initiative,
            title=title,
            summary=summary,
            answer=answer,
            vlog=vlog,
        )


def start_entry(*, initiative: Initiative, edition: Edition, actor: Actor) -> Entry:
    """The entrant begins an entry (an empty draft, first category) while the window is open."""
    check_window(edition)
    category = edition.categories.first()
    if category is None:
        raise EntryError(_("This edition has no categories yet."), code="no_category")
    entry = create_entry(initiative=initiative, category=category, title="")
    audit.record(actor=actor, action="entry_started", obj=entry)
    return entry


def may_edit(entry: Entry, *, now: datetime | None = None) -> bool:
    """The one rule of whether an entry can still be changed by its entrant: not withdrawn,
    and the edition takes entries. Pages and templates ask this; the services raise the
    reason (``_require_editable``)."""
    try:
        _require_editable(entry, now=now)
    except EntryError:
        return False
    return True


def may_reopen(entry: Entry, *, now: datetime | None = None) -> bool:
    """A withdrawn entry can be taken back (made a draft again) while the edition takes
    entries (``reopen_entry``)."""
    return entry.state == EntryState.WITHDRAWN and entry.edition.is_open(now)


def _require_editable(entry: Entry, *, now: datetime | None = None) -> None:
    if entry.state == EntryState.WITHDRAWN:
        raise EntryError(
            _("This entry has been withdrawn. Enter again to change it."), code="withdrawn"
        )
    check_window(entry.edition, now=now)


def save_draft(
    *, entry: Entry, data: dict[str, Any], category: Category | None, actor: Actor
) -> Entry:
    """Store the form as it is (autosave). A submitted entry stays submitted, so it must stay
    complete: emptying one of its texts is refused."""
    _require_editable(entry)
    if category is not None:
        if category.edition_id != entry.edition_id:
            raise EntryError(_("Choose a category of this edition."), code="category")
        entry.category = category
    for name in ENTRY_FIELDS:
        if name in data:
            setattr(entry, name, data[name] or "")
    if entry.state == EntryState.SUBMITTED and not all(
        getattr(entry, name).strip() for name in ENTRY_FIELDS
    ):
        raise EntryError(_SUBMITTED_STAYS_COMPLETE, code="incomplete")
    entry.save(update_fields=[*ENTRY_FIELDS, "category", "updated_at"])
    return entry


_SUBMITTED_STAYS_COMPLETE = gettext_lazy(
    "A submitted entry must stay complete. Fill in every text, or withdraw the entry."
)


def set_consents(*, entry: Entry, given: set[str], actor: User) -> None:
    """Record the consents as ticked now: new ones with the current wording, the ones no
    longer ticked withdrawn (one given for older wording is given again for the current).
    Within the window only; a submitted entry keeps the required ones. (Publication consent
    can also be withdrawn later: set_publication_consent.)"""
    _require_editable(entry)
    if entry.state == EntryState.SUBMITTED and not set(given) >= REQUIRED_CONSENTS:
        raise EntryError(_SUBMITTED_STAYS_COMPLETE, code="incomplete")
    with transaction.atomic():
        Entry.objects.select_for_update().get(pk=entry.pk)  # autosave and save may race
        for kind in ConsentKind.values:
            _set_consent(entry=entry, kind=kind, given=kind in given, actor=actor)


def set_publication_consent(*, entry: Entry, given: bool, actor: User) -> None:
    """Give or withdraw consent for the public gallery, at any time (also after the deadline
    and after the results): withdrawal takes the vlog off every public page at once."""
    with transaction.atomic():
        Entry.objects.select_for_update().get(pk=entry.pk)
        _set_consent(entry=entry, kind=ConsentKind.PUBLICATION, given=given, actor=actor)


def choose_entry_poster(*, entry: Entry, at_seconds: Decimal, actor: User) -> None:
    """The entrant picks the moment of the vlog that becomes its picture, until the deadline
    (the moment's own rules: ``media_pipeline.services.choose_poster``)."""
    check_window(entry.edition)
    if entry.vlog_id is None:
        raise EntryError(_("Upload your vlog first."), code="no_vlog")
    choose_poster(asset_id=entry.vlog_id, at_seconds=at_seconds, actor=actor)


def set_gallery_approval(*, entry: Entry, approved: bool, actor: Actor) -> Entry:
    """An organiser approves a submitted entry for the public gallery, or takes the approval
    back (for editions with ``gallery_review``; the entrant's consent is needed as well).
    Audited."""
    with transaction.atomic():
        locked = Entry.objects.select_for_update().get(pk=entry.pk)
        if approved and locked.state != EntryState.SUBMITTED:
            raise EntryError(
                _("Only a submitted entry can be shown in the gallery."), code="not_submitted"
            )
        locked.gallery_approved_at = timezone.now() if approved else None
        locked.save(update_fields=["gallery_approved_at", "updated_at"])
        audit.record(actor=actor, action="gallery_approval", obj=locked, approved=approved)
    return locked


def _set_consent(*, entry: Entry, kind: str, given: bool, actor: User) -> None:
    active = entry.consents.filter(kind=kind, withdrawn_at__isnull=True).first()
    wording = current_wording(entry.edition, kind)
    if active is not None and (not given or active.wording_id != wording.pk):
        active.withdrawn_at = timezone.now()
        active.save(update_fields=["withdrawn_at"])
        audit.record(actor=actor, action="consent_withdrawn", obj=entry, kind=kind)
        active = None
    if given and active is None:
        Consent.objects.create(entry=entry, kind=kind, wording=wording, given_by=actor)
        audit.record(
            actor=actor, action="consent_given", obj=entry, kind=kind, version=wording.version
        )


def active_consents(entry: Entry) -> set[str]:
    return {c.kind for c in entry.consents.all() if c.withdrawn_at is None}


def outdated_consents(entry: Entry) -> set[str]:
    """The consents the entrant gave for a wording that has changed since: they still stand
    for what they said, and the entrant is asked to agree to the new text."""
    current = current_wordings(entry.edition)
    return {
        c.kind
        for c in entry.consents.all()
        if c.withdrawn_at is None and c.wording_id != current[c.kind].pk
    }


def start_vlog_upload(
    *, entry: Entry, actor: User, filename: str, size: int, content_type: str
) -> MediaAsset:
    """Begin a browser upload of (a new) vlog for the entry, within the edition's limits.
    The current vlog stays until the new one is ready."""
    _require_editable(entry)
    edition = entry.edition
    # Storage first, outside the transaction (start_upload cleans up after itself on failure).
    asset = uploads.start_upload(
        owner=actor,
        filename=filename,
        size=size,
        content_type=content_type,
        max_bytes=edition.max_upload_bytes,
        max_duration_seconds=edition.max_duration_seconds,
    )
    with transaction.atomic():
        locked = (
            Entry.objects.select_for_update(of=("self",))
            .select_related("pending_vlog")
            .get(pk=entry.pk)
        )
        previous = locked.pending_vlog
        locked.pending_vlog = asset
        locked.save(update_fields=["pending_vlog", "updated_at"])
        audit.record(actor=actor, action="vlog_upload_started", obj=locked, asset=str(asset.uid))
    if previous is not None and previous.state == AssetState.AWAITING_UPLOAD:
        uploads.cancel_upload(asset=previous, actor=actor)  # a new upload replaces the old one
    entry.pending_vlog = asset
    return asset


def in_upload_grace(entry: Entry, *, now: datetime | None = None) -> bool:
    """After the deadline but within the edition's grace period, for an entry whose vlog
    upload started before the deadline: that upload may finish and be processed, and the
    entry may then be submitted. Its texts and consents stay as they were at the deadline."""
    now = now or timezone.now()
    edition = entry.edition
    close = edition.entries_close_at
    if not close <= now < edition.grace_ends_at:
        return False
    pending, vlog = entry.pending_vlog, entry.vlog
    if pending is not None and pending.created_at < close:
        return True  # still uploading or being processed
    # Uploaded in time, processed after the deadline (and promoted from pending).
    return vlog is not None and vlog.created_at < close and (vlog.processed_at or now) >= close


def check_upload_deadline(asset: MediaAsset, entry: Entry, *, now: datetime | None = None) -> None:
    """An upload started before the deadline may finish within the edition's grace period."""
    now = now or timezone.now()
    edition = entry.edition
    if asset.created_at >= edition.entries_close_at or now >= edition.grace_ends_at:
        raise _closed(edition)


def promote_ready_vlog(*, asset_id: int) -> None:
    """A new vlog became ready: it replaces the entry's current one. Called when the pipeline
    signals 'ready', and by promote_ready_vlogs as a safety net."""
    with transaction.atomic():
        ready = Entry.objects.filter(pending_vlog_id=asset_id, pending_vlog__state=AssetState.READY)
        for entry in ready.select_for_update(of=("self",)):
            old = entry.vlog_id
            entry.vlog_id, entry.pending_vlog_id = asset_id, None
            entry.save(update_fields=["vlog", "pending_vlog", "updated_at"])
            audit.record(actor=None, action="vlog_replaced", obj=entry, old=old, new=asset_id)


def promote_ready_vlogs() -> int:
    """Promote every pending vlog that is ready (if a worker died between 'ready' and the
    signal, this catches up). Returns how many."""
    ids = list(
        Entry.objects.filter(pending_vlog__state=AssetState.READY).values_list(
            "pending_vlog_id", flat=True
        )
    )
    for asset_id in ids:
        promote_ready_vlog(asset_id=asset_id)
    return len(ids)


def missing_for_submission(entry: Entry) -> list[str]:
    """What still has to be done before the entry can be submitted (Dutch, for the page)."""
    missing = []
    if not entry.title.strip():
        missing.append(_("a title"))
    if not entry.summary.strip():
        missing.append(_("a short description"))
    if not entry.answer.strip():
        missing.append(_("the answer to the question"))
    if entry.vlog is None or entry.vlog.state != AssetState.READY:
        missing.append(_("a vlog that has been processed"))
    consents = active_consents(entry) - outdated_consents(entry)
    labels = {
        ConsentKind.PRIVACY: _("agreement with the privacy statement"),
        ConsentKind.PEOPLE: _("permission of the people in the vlog"),
    }
    missing += [label for kind, label in labels.items() if kind not in consents]
    return missing


def submit_entry(*, entry: Entry, actor: User) -> Entry:
    """draft → submitted: gives the entry the next number of its edition and sends the receipt
    (after commit). Only a complete entry with a ready vlog and the required consents, by a
    verified address, within the window (or its grace period for an upload that started
    before the deadline: ``in_upload_grace``)."""
    if not in_upload_grace(entry):
        check_window(entry.edition)
    if actor.email_verified_at is None:
        raise EntryError(_("Confirm your e-mail address first."), code="unverified")
    missing = missing_for_submission(entry)
    if missing:
        raise EntryError(
            _("Your entry is not complete yet. Still missing: %(missing)s.")
            % {"missing": ", ".join(missing)},
            code="incomplete",
        )
    with transaction.atomic():
        Edition.objects.select_for_update().get(pk=entry.edition_id)  # one number at a time
        taken = Entry.objects.filter(edition_id=entry.edition_id).aggregate(m=Max("number"))["m"]
        number = entry.number or (taken or 0) + 1
        entry = transition_entry(
            entry_id=entry.pk,
            to=EntryState.SUBMITTED,
            actor=actor,
            number=number,
            submitted_at=timezone.now(),
        )
        transaction.on_commit(lambda: send_receipt(entry_id=entry.pk))
    return entry


def withdraw_entry(*, entry: Entry, actor: Actor) -> Entry:
    """submitted → withdrawn, until the deadline."""
    check_window(entry.edition)
    return transition_entry(entry_id=entry.pk, to=EntryState.WITHDRAWN, actor=actor)


def reopen_entry(*, entry: Entry, actor: Actor) -> Entry:
    """withdrawn → draft, until the deadline (the entrant changed their mind; ``may_reopen``
    says whether the page offers it). Invariant: the
    initiative stays within ``edition.entries_per_initiative`` active entries (withdraw, start a
    new entry, take the old one back must not make two)."""
    check_window(entry.edition)
    with transaction.atomic():
        if Entry.objects.filter(pk=entry.pk, state=EntryState.WITHDRAWN).exists():
            _lock_entry_limit(edition=entry.edition, initiative_id=entry.initiative_id)
        return transition_entry(entry_id=entry.pk, to=EntryState.DRAFT, actor=actor)


def send_receipt(*, entry_id: int) -> None:
    """The receipt e-mail: entry number, a summary and the poster image attached."""
    entry = Entry.objects.select_related("edition", "category", "initiative__owner", "vlog").get(
        pk=entry_id
    )
    body = render_to_string(
        "prijzen/email/receipt.txt", {"entry": entry, "site_url": settings.SITE_URL}
    )
    message = EmailMessage(
        subject=_("Receipt: entry %(number)s for %(edition)s")
        % {"number": entry.number, "edition": entry.edition.name},
        body=body,
        to=[entry.initiative.owner.email],
    )
    poster = entry.vlog.rendition(RenditionKind.POSTER) if entry.vlog else None
    if poster is not None:
        try:
            data = storage.s3_client().get_object(Bucket=storage.bucket_name(), Key=poster.key)
            message.attach("poster.jpg", data["Body"].read(), "image/jpeg")
        except Exception:
            logger.exception("poster not attached", extra={"entry_id": entry_id})
    message.send()
