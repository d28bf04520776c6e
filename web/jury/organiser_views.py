"""Organisers' round pages: members and invitations, conflicts, assignment, progress."""

from __future__ import annotations

from collections.abc import Hashable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from common.errors import DomainError
from common.forms import MagicLinkForm
from common.http import confirmed, require_organiser
from common.identity import InvalidEmail, canonical_email
from common.models import User
from jury import certificates, invitations, lifecycle, selectors, services
from jury.compute import charts, rankings, solver
from jury.enums import ConflictSource, ReviewState, RoundState
from jury.models import Conflict, ResultSnapshot, Round
from jury.reports import rounds as exports
from jury.reports import workspace as workspace_selectors
from results import decisions
from web.jury import decision_views


@login_required
def workspace(request):
    """The organisers' home: every edition at a glance and what needs attention now."""
    require_organiser(request.user)
    context = {"overviews": workspace_selectors.edition_overviews(), "now": timezone.now()}
    return render(request, "jury/organiser/workspace.html", context)


@login_required
def overview(request, pk: int):
    """Members and their progress, entries and theirs, conflicts, and the actions."""
    round_ = selectors.organiser_round(request.user, pk)
    submitted = Q(assignments__review__state=ReviewState.SUBMITTED)
    members = round_.members.select_related("user").order_by("user__email")
    progress = selectors.progress(by="user_id", round=round_)
    for member in members:
        member.progress = progress.get(member.user_id, selectors.Progress())
    entries = (
        services.round_entries(round_)
        .annotate(
            reviewers=Count("assignments", filter=Q(assignments__round=round_), distinct=True),
            reviewed=Count(
                "assignments", filter=Q(assignments__round=round_) & submitted, distinct=True
            ),
        )
        .order_by("number")
    )
    conflicts = selectors.conflicts_of_round(round_)
    check = request.GET.get("check", "").strip()
    try:
        person = User.objects.filter(email=canonical_email(check)).first() if check else None
    except InvalidEmail:
        person = None
    return render(
        request,
        "jury/organiser/round.html",
        {
            "round": round_,
            "members": members,
            "entries": entries,
            "conflicts": conflicts,
            "locked": services.rubric_locked(round_),
            "check": check,
            "opening_problems": lifecycle.opening_problems(round_)
            if round_.state == RoundState.DRAFT
            else [],
            "snapshot": ResultSnapshot.objects.filter(round=round_).first(),
            "check_results": services.find_conflicts(round_=round_, user=person)
            if person
            else None,
        },
    )


@login_required
@require_POST
def invite(request, pk: int):
    round_ = selectors.organiser_round(request.user, pk)
    form = MagicLinkForm(request.POST)  # the same e-mail field and messages
    if not form.is_valid():
        messages.error(request, str(form.errors["email"][0]))
        return redirect("jury-round", pk=pk)
    email = form.cleaned_data["email"]
    name = request.POST.get("name", "")[:150]
    member = invitations.invite_juror(round_=round_, email=email, name=name, actor=request.user)
    messages.success(
        request, _("The invitation has been sent to %(email)s.") % {"email": member.user.email}
    )
    return redirect("jury-round", pk=pk)


@login_required
@require_POST
def detect(request, pk: int):
    round_ = selectors.organiser_round(request.user, pk)
    found = services.detect_conflicts(round_=round_)
    messages.success(
        request,
        ngettext(
            "%(count)s new conflict of interest found.",
            "%(count)s new conflicts of interest found.",
            found,
        )
        % {"count": found},
    )
    return redirect("jury-round", pk=pk)


@login_required
@require_POST
def decide_review(request, pk: int, conflict_pk: int):
    """Does the review submitted before the conflict count? The organiser decides, with a
    reason; until then it does not."""
    round_ = selectors.organiser_round(request.user, pk)
    conflict = get_object_or_404(Conflict, pk=conflict_pk, round=round_)
    keep = request.POST.get("keep") == "1"
    try:
        services.decide_conflicted_review(
            conflict=conflict, keep=keep, reason=request.POST.get("reason", ""), actor=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The review now counts.") if keep else _("The review does not count.")
        )
    return redirect("jury-round", pk=pk)


@login_required
@require_POST
def dismiss(request, pk: int, conflict_pk: int):
    round_ = selectors.organiser_round(request.user, pk)
    conflict = get_object_or_404(
        Conflict, pk=conflict_pk, round=round_, source=ConflictSource.DETECTED
    )
    try:
        services.dismiss_conflict(
            conflict=conflict, reason=request.POST.get("reason", ""), actor=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("jury-round", pk=pk)


@login_required
@require_POST
def propose(request, pk: int):
    """Show the proposal (load per juror, coverage, conflicts avoided) before committing."""
    round_ = selectors.organiser_round(request.user, pk)
    proposal = services.propose_assignment(round_=round_)
    if isinstance(proposal, solver.Infeasible):
        return render(
            request,
            "jury/organiser/proposal.html",
            {
                "round": round_,
                "reasons": services.infeasible_reasons(proposal),
            },
        )
    emails = dict(User.objects.filter(pk__in=proposal.loads).values_list("pk", "email"))
    titles = dict(services.round_entries(round_).values_list("pk", "title"))
    coverage = [
        (titles.get(entry, entry), [emails[u] for u in jurors])
        for entry, jurors in sorted(proposal.by_entry.items())
    ]
    return render(
        request,
        "jury/organiser/proposal.html",
        {
            "round": round_,
            "proposal": proposal,
            "hash": services.proposal_hash(proposal),
            "loads": sorted((emails[u], n) for u, n in proposal.loads.items()),
            "coverage": coverage,
        },
    )


@login_required
@require_POST
def commit(request, pk: int):
    """Commit the proposal that was shown (recomputed; refused when anything changed)."""
    round_ = selectors.organiser_round(request.user, pk)
    try:
        changed = services.commit_shown_assignment(
            round_=round_, shown=request.POST.get("hash", ""), actor=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("jury-round", pk=pk)
    messages.success(request, _("The assignment is saved (%(n)s changes).") % {"n": changed})
    return redirect("jury-round", pk=pk)


@login_required
@require_POST
def remind(request, pk: int):
    round_ = selectors.organiser_round(request.user, pk)
    sent = services.send_reminders(round_=round_)
    messages.success(
        request, ngettext("%(n)s reminder sent.", "%(n)s reminders sent.", sent) % {"n": sent}
    )
    return redirect("jury-round", pk=pk)


def _criterion_names(round_: Round) -> dict[Hashable, str]:
    english = translation.get_language() == "en"
    return {
        pk: (name_en if english and name_en else name_nl)
        for pk, name_nl, name_en in round_.criteria.order_by("position", "pk").values_list(
            "pk", "name_nl", "name_en"
        )
    }


@login_required
def ranking(request, pk: int):
    """All methods side by side: the official order first, disagreement, intervals, alpha,
    each jury member's leniency and the score distribution per criterion, as tables and
    charts."""
    round_ = selectors.organiser_round(request.user, pk)
    report = exports.compute_report(round_)
    entries = {
        pk: (title, category)
        for pk, title, category in services.round_entries(round_).values_list(
            "pk", "title", "category__name"
        )
    }
    titles: dict[Hashable, str] = {pk: title for pk, (title, _category) in entries.items()}
    emails: dict[Hashable, str] = dict(round_.members.values_list("user_id", "user__email"))
    rows = [
        (row, titles.get(row.entry_id, row.entry_id), [row.ranks.get(m) for m in rankings.METHODS])
        for row in (report.entries if report else ())
    ]
    by_disagreement = request.GET.get("volgorde") == "onenigheid"
    leniency = report.leniency if report else None
    jurors = [
        (emails.get(j.juror_id, j.juror_id), j) for j in (leniency.jurors if leniency else ())
    ]
    names = _criterion_names(round_) if report and report.distributions else {}
    return render(
        request,
        "jury/organiser/ranking.html",
        {
            "round": round_,
            "report": report,
            "rows": rows,
            "jurors": jurors,
            "groups": _ranking_groups(rows, entries, _remarks(round_), by_disagreement),
            "by_disagreement": by_disagreement,
            "official_label": rankings.common.METHOD_LABELS.get(round_.official_method, ""),
            "methods": [
                (rankings.common.METHOD_LABELS[m], rankings.common.METHOD_EXPLANATIONS[m], m)
                for m in rankings.METHODS
            ],
            "method_labels": [rankings.common.METHOD_LABELS[m] for m in rankings.METHODS],
            "spread_chart": charts.spread_chart(leniency, emails),
            "offset_chart": charts.offset_chart(leniency, emails),
            "distribution_charts": charts.distribution_charts(
                report.distributions if report else {}, names
            ),
            "ties": decision_views.tie_groups(round_, report),
        },
    )


def _remarks(round_) -> dict[int, list[tuple[str, str]]]:
    """The jury members' overall remarks per entry, from the reviews that count (organisers
    see who wrote them)."""
    remarks: dict[int, list[tuple[str, str]]] = {}
    rows = (
        selectors.counted_reviews()
        .filter(assignment__round=round_)
        .exclude(overall_comment="")
        .values_list("assignment__entry_id", "assignment__user__email", "overall_comment")
    )
    for entry_id, email, text in rows.order_by("assignment__user__email"):
        remarks.setdefault(entry_id, []).append((email, text))
    return remarks


def _ranking_groups(rows, entries, remarks, by_disagreement: bool) -> list[dict]:
    """The official order per category (winners are chosen per category), each entry with
    its place in its category and the remarks; optionally ordered by disagreement (the
    largest spread of the totals first) to discuss those first."""
    groups: dict[str, dict] = {}
    for row, title, ranks in rows:
        category = entries.get(row.entry_id, ("", ""))[1]
        group = groups.setdefault(category, {"category": category, "rows": []})
        place = len(group["rows"]) + 1
        group["rows"].append(
            {
                "row": row,
                "title": title,
                "ranks": ranks,
                "place": place,
                "remarks": remarks.get(row.entry_id, []),
            }
        )
    for group in groups.values():
        if by_disagreement:
            group["rows"].sort(key=lambda r: -(r["row"].spread.sd or 0))
    return list(groups.values())


@login_required
def export(request, pk: int, kind: str, fmt: str):
    """One export of the round (see `jury.reports.rounds`) as CSV or XLSX, for organisers."""
    round_ = selectors.organiser_round(request.user, pk)
    if kind not in exports.EXPORTS or fmt not in exports.WRITERS:
        raise Http404
    table = exports.EXPORTS[kind](round_)
    write, content_type = exports.WRITERS[fmt]
    response = HttpResponse(write(table), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{table.title}-ronde-{pk}.{fmt}"'
    return response


@login_required
def ranking_csv(request, pk: int):
    """The ranking with all methods as CSV: the address of the first export, kept working."""
    return export(request, pk, kind="rangschikking", fmt="csv")


@login_required
@require_POST
def open_(request, pk: int):
    """Open the round for scoring (when nothing is missing; the page lists what is)."""
    round_ = selectors.organiser_round(request.user, pk)
    if confirmed(request):
        try:
            opened = lifecycle.open_round(round_=round_, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            start = date_format(localtime(opened.opens_at), "j F Y, H:i")
            message = _("The round is open. Jury members can score from %(date)s.")
            messages.success(request, message % {"date": start})
    return redirect("jury-round", pk=pk)


@login_required
@require_POST
def close(request, pk: int):
    """Close the round and freeze its results certificate."""
    round_ = selectors.organiser_round(request.user, pk)
    if confirmed(request):
        try:
            certificates.close_round(round_=round_, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The round is closed and its results certificate is made."))
    return redirect("jury-round", pk=pk)


class ReopenForm(forms.Form):
    reason = forms.CharField(max_length=lifecycle.REASON_MAX, required=False)
    closes_at = forms.DateTimeField(required=False, input_formats=["%Y-%m-%dT%H:%M"])


@login_required
@require_POST
def reopen(request, pk: int):
    """Open a closed round again, with a reason (and a new deadline when it has passed)."""
    round_ = selectors.organiser_round(request.user, pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Fill in the new deadline as a date and time."))
    elif confirmed(request):
        try:
            lifecycle.reopen_round(
                round_=round_,
                reason=form.cleaned_data["reason"],
                closes_at=form.cleaned_data["closes_at"],
                actor=request.user,
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The round is open again. It makes a new results certificate when it closes."),
            )
    return redirect("jury-round", pk=pk)


@login_required
@require_POST
def second_factor(request, pk: int):
    """Whether the jury members of this round's edition need two-step sign-in."""
    round_ = selectors.organiser_round(request.user, pk)
    required = request.POST.get("required") == "1"
    decisions.set_jury_second_factor(edition=round_.edition, value=required, actor=request.user)
    if required:
        messages.success(request, _("Jury members of this edition now sign in in two steps."))
    else:
        messages.success(request, _("Jury members of this edition sign in with one step."))
    return redirect("jury-round", pk=pk)


@login_required
def certificate(request, pk: int):
    """The latest results certificate as a JSON download."""
    round_ = selectors.organiser_round(request.user, pk)
    snapshot = get_object_or_404(
        ResultSnapshot.objects.select_related("round__edition").filter(round=round_)[:1]
    )
    body = certificates.certificate_data(snapshot)
    response = JsonResponse(body, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="resultaten-ronde-{pk}.json"'
    return response
