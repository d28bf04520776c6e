"""Organisers' results page: winners with the jury's motivation, the embargo and the
announcement (scheduled or now)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.errors import DomainError
from common.http import posted_id, require_organiser
from jury.models import Shortlisting
from prijzen.enums import EntryState, ResultsState
from prijzen.models import Award, Edition, Entry
from results import decisions

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _parse_moment(value: str) -> datetime:
    try:
        naive = datetime.strptime(value, "%Y-%m-%dT%H:%M")
    except ValueError:
        raise decisions.DecisionError(
            _("Enter a date and time, for example 10-06-2027 20:00."), code="moment_invalid"
        ) from None
    return naive.replace(tzinfo=AMSTERDAM)


def _act(request, edition: Edition) -> None:
    action = request.POST.get("action", "")
    entries = Entry.objects.filter(edition=edition, state=EntryState.SUBMITTED)
    if action == "award":
        entry = get_object_or_404(entries, pk=posted_id(request, "entry"))
        decisions.record_award(
            entry=entry, motivation=request.POST.get("motivation", ""), actor=request.user
        )
        messages.success(request, _("The winner is recorded. It stays private until publication."))
    elif action == "remove-award":
        award = get_object_or_404(Award, pk=posted_id(request, "award"), entry__edition=edition)
        decisions.remove_award(award=award, actor=request.user)
        messages.success(request, _("The winner is removed."))
    elif action == "schedule":
        moment = _parse_moment(request.POST.get("moment", ""))
        decisions.schedule_results(edition=edition, at=moment, actor=request.user)
        messages.success(request, _("The results will be published at the chosen moment."))
    elif action == "cancel":
        decisions.cancel_schedule(edition=edition, actor=request.user)
        messages.success(request, _("The planned publication is cancelled."))
    elif action == "publish":
        if request.POST.get("confirm") != "1":
            raise decisions.DecisionError(
                _("Tick the box to confirm that the results may be made public."),
                code="not_confirmed",
            )
        decisions.publish_results(edition=edition, actor=request.user)
        messages.success(request, _("The results are public. The e-mails are being sent."))
    elif action == "feedback":
        decisions.set_share_feedback(
            edition=edition, value=request.POST.get("share_feedback") == "1", actor=request.user
        )
        messages.success(request, _("The setting is saved."))
    else:
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def results(request, slug: str):
    require_organiser(request.user)
    edition = get_object_or_404(Edition, slug=slug)
    if request.method == "POST":
        try:
            _act(request, edition)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("results-manage", slug=slug)
    submitted = Entry.objects.filter(edition=edition, state=EntryState.SUBMITTED).select_related(
        "initiative", "category"
    )
    shortlisted = set(
        Shortlisting.objects.filter(round__edition=edition).values_list("entry_id", flat=True)
    )
    awards = {a.entry_id: a for a in Award.objects.filter(entry__edition=edition)}
    categories = []
    for category in edition.categories.all():
        entries = [e for e in submitted if e.category_id == category.pk]
        categories.append(
            {
                "category": category,
                "awards": [(e, awards[e.pk]) for e in entries if e.pk in awards],
                "candidates": sorted(
                    (e for e in entries if e.pk not in awards),
                    key=lambda e: (e.pk not in shortlisted, e.number or 0),
                ),
                "shortlisted": shortlisted,
            }
        )
    mails = submitted.aggregate(
        total=Count("pk"), sent=Count("pk", filter=Q(outcome_sent_at__isnull=False))
    )
    return render(
        request,
        "prijzen/organiser/results.html",
        {
            "edition": edition,
            "categories": categories,
            "mails": mails,
            "published": edition.results_state == ResultsState.PUBLISHED,
            "winners_from": decisions.winners_wait_until(edition),
            "scheduled": edition.results_state == ResultsState.SCHEDULED,
        },
    )
