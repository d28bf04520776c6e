"""Organisers' shortlist page for a closed round: the frozen official order, the top N or
entries by hand."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.errors import DomainError
from jury import services, shortlists
from jury.models import Round, Shortlisting


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
    entry = get_object_or_404(services.round_entries(round_), pk=request.POST.get("entry") or 0)
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
    if not request.user.is_organiser:
        raise Http404
    round_ = get_object_or_404(Round.objects.select_related("edition", "category"), pk=pk)
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
    return render(request, "jury/organiser/shortlist.html", {
        "round": round_, "rows": rows, "count": len(chosen),
        "next_rounds": round_.next_rounds.all(),
    })  # fmt: skip
