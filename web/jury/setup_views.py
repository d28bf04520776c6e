"""Organisers' pages to set up a round: its settings and its rubric (beoordelingsformulier)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.errors import DomainError
from common.http import posted_id, require_organiser
from jury import selectors, services, setup
from jury.forms import CriterionForm, RoundForm
from jury.models import Criterion, Round
from prijzen.models import Edition


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request, slug: str):
    require_organiser(request.user)
    edition = get_object_or_404(Edition, slug=slug)
    form = RoundForm(request.POST or None, edition=edition)
    if request.method == "POST" and form.is_valid():
        round_ = setup.save_round(form=form, actor=request.user)
        messages.success(request, _("The round is made. Set up its scoring form next."))
        return redirect("round-rubric", pk=round_.pk)
    context = {"form": form, "edition": edition, "round": None}
    return render(
        request, "jury/organiser/round_form.html", context, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_settings(request, pk: int):
    round_ = selectors.organiser_round(request.user, pk)
    form = RoundForm(request.POST or None, instance=round_, edition=round_.edition)
    if request.method == "POST" and form.is_valid():
        setup.save_round(form=form, actor=request.user)
        messages.success(request, _("The round is saved."))
        return redirect("jury-round", pk=pk)
    context = {"form": form, "edition": round_.edition, "round": round_}
    return render(
        request, "jury/organiser/round_form.html", context, status=400 if form.errors else 200
    )


def _rubric_page(request, round_, *, new_form=None, status=200):
    locked = services.rubric_locked(round_)
    earlier = (
        Round.objects.exclude(pk=round_.pk)
        .filter(criteria__isnull=False)
        .distinct()
        .select_related("edition")
        .order_by("-edition__year", "name")
    )
    context = {
        "round": round_,
        "locked": locked,
        "earlier": earlier,
        "criteria": [
            (c, CriterionForm(instance=c, prefix=f"c{c.pk}")) for c in round_.criteria.all()
        ],
        "new_form": new_form
        or CriterionForm(prefix="new", initial={"position": round_.criteria.count()}),
    }
    return render(request, "jury/organiser/rubric.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def rubric(request, pk: int):
    """The rubric: every criterion in its own form, a form for a new one, and a copy from an
    earlier round."""
    round_ = selectors.organiser_round(request.user, pk)
    if request.method == "GET":
        return _rubric_page(request, round_)
    action = request.POST.get("action", "")
    try:
        if action == "add":
            form = CriterionForm(request.POST, prefix="new")
            if not form.is_valid():
                return _rubric_page(request, round_, new_form=form, status=400)
            setup.save_criterion(round_=round_, form=form, actor=request.user)
            messages.success(request, _("The criterion is added."))
        elif action in ("save", "delete"):
            criterion = get_object_or_404(
                Criterion, round=round_, pk=posted_id(request, "criterion")
            )
            if action == "delete":
                setup.delete_criterion(criterion=criterion, actor=request.user)
                messages.success(request, _("The criterion is removed."))
            else:
                form = CriterionForm(request.POST, instance=criterion, prefix=f"c{criterion.pk}")
                if not form.is_valid():
                    errors = " ".join(str(e) for errs in form.errors.values() for e in errs)
                    messages.error(request, _("Not saved: %(errors)s") % {"errors": errors})
                    return redirect("round-rubric", pk=pk)
                setup.save_criterion(round_=round_, form=form, actor=request.user)
                messages.success(request, _("The criterion is saved."))
        elif action == "copy":
            source = get_object_or_404(Round, pk=posted_id(request, "source"))
            count = setup.copy_rubric(source=source, target=round_, actor=request.user)
            messages.success(request, _("%(n)s criteria copied.") % {"n": count})
        else:
            return redirect("round-rubric", pk=pk)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("round-rubric", pk=pk)
