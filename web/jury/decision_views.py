"""Organisers' decisions on a round: the order of tied entries (with a written reason) and
the shortlist of a closed round (the top N of the frozen order, or by hand)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.errors import DomainError
from common.http import posted_id
from jury import certificates, selectors, services, shortlists
from jury.models import Round, Shortlisting, TieDecision


def _act(request, round_: Round) -> None:
    action = request.POST.get("action", "")
    if action == "top":
        try:
            count = int(request.POST.get("count", ""))
        except ValueError:
            raise shortlists.ShortlistError(
                _("Enter a whole number."), code="count_invalid"
            ) from None
        top = shortlists.shortlist_top(round_=round_, count=count, actor=request.user)
        messages.success(request, _("The top %(count)s is on the shortlist.") % {"count": len(top)})
        return
    entry = get_object_or_404(services.round_entries(round_), pk=posted_id(request, "entry"))
    if action == "add":
        shortlists.add_to_shortlist(round_=round_, entry=entry, actor=request.user)
        messages.success(
            request, _("Entry %(number)s is on the shortlist.") % {"number": entry.number}
        )
    elif action == "remove":
        shortlists.remove_from_shortlist(round_=round_, entry=entry, actor=request.user)
        messages.success(
            request, _("Entry %(number)s is off the shortlist.") % {"number": entry.number}
        )
    else:
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def shortlist(request, pk: int):
    round_ = selectors.organiser_round(request.user, pk)
    if request.method == "POST":
        try:
            _act(request, round_)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("jury-round-shortlist", pk=pk)
    entries = {e.pk: e for e in services.round_entries(round_)}
    chosen = {s.entry_id: s for s in Shortlisting.objects.filter(round=round_)}
    order = shortlists.frozen_order(round_)
    rows = [(rank, entries[e], chosen.get(e)) for e, rank in order if e in entries]
    fixed = shortlists.why_fixed(round_)
    return render(
        request,
        "jury/organiser/shortlist.html",
        {
            "round": round_,
            "rows": rows,
            "count": len(chosen),
            "next_rounds": round_.next_rounds.all(),
            "fixed": fixed[1] if fixed else "",
        },
    )


def tie_groups(round_: Round, report) -> list[dict]:
    """The ranking's ties for the page: entries (number and title), how the rule handled
    them, and the organisers' recorded decision for a group the rule leaves open."""
    if report is None:
        return []
    entries = {e.pk: e for e in services.round_entries(round_)}
    recorded = {frozenset(d.order): d for d in TieDecision.objects.filter(round=round_)}
    groups = []
    for tie in report.official.ties:
        members = frozenset(tie.entries)
        parts = [[entries[i] for i in part if i in entries] for part in tie.order]
        decisions = [d for key, d in recorded.items() if key <= members]
        groups.append(
            {
                "tie": tie,
                "parts": parts,
                "decisions": decisions,
                # what the organisers can (re)order: the parts still tied, and each decided group
                "editable": [p for p in parts if len(p) > 1]
                + [[entries[i] for i in d.order if i in entries] for d in decisions],
            }
        )
    return groups


@login_required
@require_http_methods(["POST"])
def decide_tie(request, pk: int):
    """Record the order of entries the tie rule leaves tied, by entry number, with a reason."""
    round_ = selectors.organiser_round(request.user, pk)
    by_number = dict(services.round_entries(round_).values_list("number", "pk"))
    try:
        numbers = [int(n) for n in request.POST.get("order", "").replace(";", ",").split(",")]
        order = [by_number[n] for n in numbers]
    except (ValueError, KeyError):
        messages.error(request, _("Give the entry numbers in order, separated by commas."))
    else:
        try:
            certificates.decide_tie(
                round_=round_,
                order=order,
                reason=request.POST.get("reason", ""),
                actor=request.user,
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The order of the tied entries is recorded."))
    return redirect("jury-round-ranking", pk=pk)
