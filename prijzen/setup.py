"""Organisers set up an edition and its categories (every write here is audited). The forms in
``prijzen.forms`` check the input; these services hold the rules that need the database."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from common import audit
from common.errors import DomainError
from common.models import Actor
from prijzen.forms import CategoryForm, EditionForm
from prijzen.models import Category, Edition
from prijzen.wordings import change_wordings


class SetupError(DomainError):
    code = "setup_error"


def save_edition(*, form: EditionForm, actor: Actor) -> tuple[Edition, set[str]]:
    """Create or change an edition from a valid ``EditionForm``, with its texts to agree to;
    returns the edition and the kinds of text that changed (``prijzen.wordings``). Jury
    terms that changed are asked again: use ``jury.setup.save_edition``."""
    with transaction.atomic():
        edition: Edition = form.save(commit=False)
        edition.max_upload_bytes = form.cleaned_data["max_upload_mb"] * 1024**2
        created = edition.pk is None
        edition.save()
        audit.record(
            actor=actor,
            action="edition_created" if created else "edition_changed",
            obj=edition,
            fields=sorted(form.changed_data),
        )
        changed = change_wordings(edition=edition, texts=form.wording_texts(), actor=actor)
    return edition, changed


def save_category(*, edition: Edition, form: CategoryForm, actor: Actor) -> Category:
    """Add a category to the edition or change one, from a valid ``CategoryForm``; its short
    name is unique within the edition."""
    with transaction.atomic():
        Edition.objects.select_for_update().get(pk=edition.pk)
        category: Category = form.save(commit=False)
        category.edition = edition
        taken = Category.objects.filter(edition=edition, slug=category.slug)
        if taken.exclude(pk=category.pk).exists():
            raise SetupError(
                _("This edition already has a category with this short name."), code="slug_taken"
            )
        created = category.pk is None
        category.save()
        audit.record(
            actor=actor,
            action="category_created" if created else "category_changed",
            obj=category,
            name=category.name,
        )
    return category


def delete_category(*, category: Category, actor: Actor) -> None:
    """Remove a category that has no entries (entries are never lost this way)."""
    with transaction.atomic():
        locked = Category.objects.select_for_update().get(pk=category.pk)
        if locked.entries.exists():
            raise SetupError(
                _("This category has entries, so it stays. Rename it instead."), code="has_entries"
            )
        if locked.rounds.exists():
            raise SetupError(_("A round judges this category, so it stays."), code="has_rounds")
        audit.record(actor=actor, action="category_deleted", obj=locked, name=locked.name)
        locked.delete()
