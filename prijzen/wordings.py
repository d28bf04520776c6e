"""The one owner of an edition's texts that people agree to (consents and jury terms): the
current version of each, and a new version when an organiser changes a text. A stored
version never changes, so every consent and jury acceptance keeps the exact words shown."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation

from common import audit
from prijzen.consents import DEFAULT_TEXTS
from prijzen.enums import WordingKind
from prijzen.models import Edition, Wording


def current_wordings(edition: Edition) -> dict[str, Wording]:
    """The newest version of each text of the edition. An edition without a stored text gets
    the default one as version 1 (in the site's language, as organisers write them). Kept on
    the edition object for the rest of the request (lists prefetch ``edition__wordings``)."""
    cached: dict[str, Wording] | None = edition.__dict__.get("_current_wordings")
    if cached is not None:
        return cached
    latest: dict[str, Wording] = {}
    for wording in sorted(edition.wordings.all(), key=lambda w: w.version):
        latest[wording.kind] = wording
    for kind in WordingKind.values:
        if kind not in latest:
            latest[kind] = _first_version(edition, kind)
    edition.__dict__["_current_wordings"] = latest
    return latest


def current_wording(edition: Edition, kind: str) -> Wording:
    return current_wordings(edition)[kind]


def change_wordings(*, edition: Edition, texts: dict[str, str], actor) -> set[str]:
    """Store a new version of every text that differs from its current one (a first text is
    version 1; audited); returns the kinds whose text changed from an earlier version."""
    changed = set()
    with transaction.atomic():
        Edition.objects.select_for_update().get(pk=edition.pk)
        for kind, text in texts.items():
            text = text.strip()
            latest = Wording.objects.filter(edition=edition, kind=kind).order_by("version").last()
            if not text or (latest is not None and text == latest.text):
                continue
            version = latest.version + 1 if latest else 1
            Wording.objects.create(
                edition=edition, kind=kind, version=version, text=text, created_by=actor
            )
            audit.record(
                actor=actor, action="wording_changed", obj=edition, kind=kind, version=version
            )
            if latest is not None:
                changed.add(kind)
    _forget(edition)
    return changed


def _forget(edition: Edition) -> None:
    edition.__dict__.pop("_current_wordings", None)
    getattr(edition, "_prefetched_objects_cache", {}).pop("wordings", None)


def _first_version(edition: Edition, kind: str) -> Wording:
    with translation.override(settings.LANGUAGE_CODE):
        text = str(DEFAULT_TEXTS[WordingKind(kind)])
    try:
        with transaction.atomic():
            return Wording.objects.create(edition=edition, kind=kind, version=1, text=text)
    except IntegrityError:  # another request stored it first
        return Wording.objects.get(edition=edition, kind=kind, version=1)
