"""Every write to initiatives and entries that matters."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from common import audit, statemachine
from common.errors import DomainError
from media_pipeline import storage, uploads
from media_pipeline.enums import AssetState, RenditionKind
from media_pipeline.models import MediaAsset
from prijzen.consents import CONSENT_TEXTS
from prijzen.enums import ENTRY_TRANSITIONS, ConsentKind, EntryState
from prijzen.models import Category, Consent, Edition, Entry, Initiative
from prijzen.municipalities import provinces_by_municipality

logger = logging.getLogger(__name__)

INITIATIVE_FIELDS = ("name", "municipality", "contact_name", "phone", "website", "description")
ENTRY_FIELDS = ("title", "summary", "answer")


class EntryError(DomainError):
    code = "entry_error"


def transition_entry(*, entry_id: int, to: str, actor=None, **changes) -> Entry:
    """The one place that changes ``Entry.state`` (locks, checks the table, audits)."""
    return statemachine.transition(
        model=Entry, pk=entry_id, to=to, table=ENTRY_TRANSITIONS, actor=actor, **changes
    )


# --- Window -------------------------------------------------------------------------------


def check_window(edition: Edition, *, now=None) -> None:
    """Entering and editing are possible only while the edition's entry window is open."""
    now = now or timezone.now()
    if now < edition.entries_open_at:
        raise EntryError(
            _("Entering is not possible yet. Entries open on %(date)s.")
            % {"date": _local(edition.entries_open_at)},
            code="not_open_yet",
        )
    if now >= edition.entries_close_at:
        raise EntryError(
            _("The deadline has passed (%(date)s). You can no longer change your entry.")
            % {"date": _local(edition.entries_close_at)},
            code="closed",
        )


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%d-%m-%Y %H:%M")


# --- Initiative ---------------------------------------------------------------------------


def save_initiative(*, owner, data: dict, initiative: Initiative | None = None) -> Initiative:
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


def create_entry(
    *, initiative: Initiative, category: Category, title: str, summary: str = "", answer: str = "",
    vlog=None,
) -> Entry:  # fmt: skip
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
            raise EntryError(
                _("Your initiative has already entered this edition. You can change that entry."),
                code="entry_limit",
            )
        return Entry.objects.create(
            edition=edition, category=category, initiative=initiative, title=title,
            summary=summary, answer=answer, vlog=vlog,
        )  # fmt: skip


def start_entry(*, initiative: Initiative, category: Category, actor) -> Entry:
    """The entrant begins an entry (an empty draft) while the window is open."""
    check_window(category.edition)
    entry = create_entry(initiative=initiative, category=category, title="")
    audit.record(actor=actor, action="entry_started", obj=entry)
    return entry


def _require_editable(entry: Entry, *, now=None) -> None:
    if entry.state == EntryState.WITHDRAWN:
        raise EntryError(
            _("This entry has been withdrawn. Enter again to change it."), code="withdrawn"
        )
    check_window(entry.edition, now=now)


def save_draft(*, entry: Entry, data: dict, category: Category | None, actor) -> Entry:
    """Store the form as it is (autosave). A submitted entry stays submitted."""
    _require_editable(entry)
    if category is not None:
        if category.edition_id != entry.edition_id:
            raise EntryError(_("Choose a category of this edition."), code="category")
        entry.category = category
    for name in ENTRY_FIELDS:
        if name in data:
            setattr(entry, name, data[name] or "")
    entry.save(update_fields=[*ENTRY_FIELDS, "category", "updated_at"])
    return entry


def set_consents(*, entry: Entry, given: set[str], actor) -> None:
    """Record the consents as ticked now: new ones with the current wording version, the ones
    no longer ticked withdrawn. Withdrawing publication consent is possible at any time."""
    with transaction.atomic():
        active = {c.kind: c for c in entry.consents.filter(withdrawn_at__isnull=True)}
        now = timezone.now()
        for kind in ConsentKind.values:
            if kind in given and kind not in active:
                if kind != ConsentKind.PUBLICATION:
                    _require_editable(entry)
                version, _text = CONSENT_TEXTS[kind]
                Consent.objects.create(entry=entry, kind=kind, version=version, given_by=actor)
                audit.record(actor=actor, action="consent_given", obj=entry, kind=kind,
                             version=version)  # fmt: skip
            elif kind not in given and kind in active:
                if kind != ConsentKind.PUBLICATION:
                    _require_editable(entry)
                active[kind].withdrawn_at = now
                active[kind].save(update_fields=["withdrawn_at"])
                audit.record(actor=actor, action="consent_withdrawn", obj=entry, kind=kind)


def active_consents(entry: Entry) -> set[str]:
    return {c.kind for c in entry.consents.all() if c.withdrawn_at is None}


def start_vlog_upload(*, entry: Entry, actor, filename: str, size: int, content_type: str):
    """Begin a browser upload of (a new) vlog for the entry, within the edition's limits.
    The current vlog stays until the new one is ready."""
    _require_editable(entry)
    edition = entry.edition
    with transaction.atomic():
        asset = uploads.start_upload(
            owner=actor, filename=filename, size=size, content_type=content_type,
            max_bytes=edition.max_upload_bytes, max_duration_seconds=edition.max_duration_seconds,
        )  # fmt: skip
        entry.pending_vlog = asset
        entry.save(update_fields=["pending_vlog", "updated_at"])
        audit.record(actor=actor, action="vlog_upload_started", obj=entry, asset=str(asset.uid))
    return asset


def check_upload_deadline(asset: MediaAsset, entry: Entry, *, now=None) -> None:
    """An upload started before the deadline may finish within the edition's grace period."""
    now = now or timezone.now()
    edition = entry.edition
    grace_end = edition.entries_close_at + timedelta(minutes=edition.upload_grace_minutes)
    if asset.created_at >= edition.entries_close_at or now >= grace_end:
        raise EntryError(
            _("The deadline has passed (%(date)s). You can no longer change your entry.")
            % {"date": _local(edition.entries_close_at)},
            code="closed",
        )


def promote_ready_vlog(*, asset_id: int) -> None:
    """A new vlog became ready: it replaces the entry's current one."""
    with transaction.atomic():
        for entry in Entry.objects.select_for_update().filter(pending_vlog_id=asset_id):
            old = entry.vlog_id
            entry.vlog_id, entry.pending_vlog_id = asset_id, None
            entry.save(update_fields=["vlog", "pending_vlog", "updated_at"])
            audit.record(actor=None, action="vlog_replaced", obj=entry, old=old, new=asset_id)


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
    consents = active_consents(entry)
    if ConsentKind.PRIVACY not in consents:
        missing.append(_("agreement with the privacy statement"))
    if ConsentKind.PEOPLE not in consents:
        missing.append(_("permission of the people in the vlog"))
    return missing


def submit_entry(*, entry: Entry, actor) -> Entry:
    """draft → submitted: gives the entry the next number of its edition and sends the receipt
    (after commit). Only a complete entry with a ready vlog and the required consents, by a
    verified address, within the window."""
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
        number = entry.number or (
            (
                Entry.objects.select_for_update()
                .filter(edition_id=entry.edition_id)
                .aggregate(m=Max("number"))["m"]
                or 0
            )
            + 1
        )
        entry = transition_entry(
            entry_id=entry.pk, to=EntryState.SUBMITTED, actor=actor,
            number=number, submitted_at=timezone.now(),
        )  # fmt: skip
        transaction.on_commit(lambda: send_receipt(entry_id=entry.pk))
    return entry


def withdraw_entry(*, entry: Entry, actor) -> Entry:
    """submitted → withdrawn, until the deadline."""
    check_window(entry.edition)
    return transition_entry(entry_id=entry.pk, to=EntryState.WITHDRAWN, actor=actor)


def reopen_entry(*, entry: Entry, actor) -> Entry:
    """withdrawn → draft, until the deadline (the entrant changed their mind)."""
    check_window(entry.edition)
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
