"""Organisers set up a round and its rubric (audited). ``jury.forms`` checks the input; the
rules that need the database are here: the rubric is fixed once the first score is in."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from common import audit
from common.models import Actor
from jury import invitations, services
from jury.forms import CriterionForm, RoundForm
from jury.models import Criterion, Round
from prijzen import setup as edition_setup
from prijzen.enums import WordingKind
from prijzen.forms import EditionForm
from prijzen.models import Edition


def save_edition(*, form: EditionForm, actor: Actor) -> Edition:
    """Create or change an edition (``prijzen.setup.save_edition``); when its jury terms
    changed, every juror of its rounds is asked to accept the new terms before going on."""
    with transaction.atomic():
        edition, changed = edition_setup.save_edition(form=form, actor=actor)
        if WordingKind.JURY_TERMS in changed:
            invitations.ask_terms_again(edition=edition, actor=actor)
    return edition


def save_round(*, form: RoundForm, actor: Actor) -> Round:
    """Create a round (in preparation) or change one, from a valid ``RoundForm``."""
    with transaction.atomic():
        created = form.instance.pk is None
        if not created:
            Round.objects.select_for_update().get(pk=form.instance.pk)
        round_: Round = form.save()
        audit.record(
            actor=actor,
            action="round_created" if created else "round_changed",
            obj=round_,
            fields=sorted(form.changed_data),
        )
    return round_


def _require_rubric_open(round_: Round) -> None:
    if services.rubric_locked(round_):
        raise services.JuryError(
            _("The scoring form is fixed: the first scores are in."), code="rubric_locked"
        )


def save_criterion(*, round_: Round, form: CriterionForm, actor: Actor) -> Criterion:
    """Add a criterion to the rubric or change one, with its level texts."""
    with transaction.atomic():
        Round.objects.select_for_update().get(pk=round_.pk)
        _require_rubric_open(round_)
        criterion: Criterion = form.save(commit=False)
        criterion.round = round_
        criterion.anchors = form.anchors()
        created = criterion.pk is None
        criterion.save()
        audit.record(
            actor=actor,
            action="criterion_saved",
            obj=round_,
            criterion=criterion.pk,
            created=created,
        )
    return criterion


def delete_criterion(*, criterion: Criterion, actor: Actor) -> None:
    round_ = criterion.round
    with transaction.atomic():
        Round.objects.select_for_update().get(pk=round_.pk)
        _require_rubric_open(round_)
        audit.record(actor=actor, action="criterion_deleted", obj=round_, name=criterion.name_nl)
        criterion.delete()


def copy_rubric(*, source: Round, target: Round, actor: Actor) -> int:
    """Copy the rubric of an earlier round (of any edition) into a round without one."""
    with transaction.atomic():
        Round.objects.select_for_update().get(pk=target.pk)
        _require_rubric_open(target)
        if target.criteria.exists():
            raise services.JuryError(_("This round has a scoring form already."), code="has_rubric")
        criteria = list(source.criteria.all())
        for criterion in criteria:
            criterion.pk = None
            criterion.round = target
        Criterion.objects.bulk_create(criteria)
        audit.record(actor=actor, action="rubric_copied", obj=target, source=source.pk)
    return len(criteria)
