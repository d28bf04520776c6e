from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.errors import DomainError
from jury import invitations, selectors, services
from jury.enums import ReviewState
from jury.forms import AcceptInvitationForm, ConflictForm, TieForm
from jury.models import JurorTie
from media_pipeline.selectors import playback


@require_http_methods(["GET", "POST"])
def invitation(request, token: str):
    """Accept an invitation to the jury, with the confidentiality terms."""
    try:
        member = invitations.invitation(token)
    except DomainError as error:
        return render(request, "jury/invitation.html", {"error": error.message}, status=400)
    form = AcceptInvitationForm(request.POST if request.method == "POST" else None, label_suffix="")
    if request.method == "POST" and form.is_valid():
        member = invitations.accept_invitation(token=token, terms_accepted=True)
        login(request, member.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to the jury. Here are the entries for you."))
        return redirect("jury-home")
    return render(request, "jury/invitation.html", {"member": member, "form": form})


@login_required
def home(request):
    """The juror's assignments per round, with progress and the deadline."""
    rounds = list(selectors.memberships(request.user))
    assignments = list(selectors.assignments_for(request.user))
    for member in rounds:
        member.assignments = [a for a in assignments if a.round_id == member.round_id]
    return render(request, "jury/home.html", {"memberships": rounds})


def _review_data(post) -> dict:
    scores = {k.removeprefix("score-"): v for k, v in post.items() if k.startswith("score-")}
    comments = {
        k.removeprefix("comment-"): v[:2000] for k, v in post.items() if k.startswith("comment-")
    }
    try:
        notes = json.loads(post.get("notes") or "[]")[:200]
    except json.JSONDecodeError:
        notes = []
    return {
        "scores": scores,
        "comments": comments,
        "overall_comment": post.get("overall_comment", "")[:5000],
        "notes": notes,
        "watched_seconds": post.get("watched_seconds") or 0,
    }


def _version(post) -> int:
    try:
        return int(post.get("version", ""))
    except ValueError:
        return 0


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk: int):
    """The scoring page: the entry and its vlog beside the rubric. The form saves itself
    (X-Autosave posts get JSON); submit checks it; "save and next" opens the next open one."""
    assignment = get_object_or_404(selectors.assignments_for(request.user), pk=pk)
    try:
        current = services.review_for(assignment=assignment, user=request.user)
        if request.method == "POST":
            return _act(request, assignment, current)
    except DomainError as error:
        if request.headers.get("X-Autosave") == "1":
            return JsonResponse({"saved": False, "code": error.code,
                                 "message": str(error.message)}, status=400)  # fmt: skip
        messages.error(request, error.message)
        return redirect("jury-review", pk=pk) if request.method == "POST" else redirect("jury-home")
    criteria = list(assignment.round.criteria.all())
    for criterion in criteria:
        criterion.value = current.scores.get(str(criterion.pk), "")
        criterion.comment = current.comments.get(str(criterion.pk), "")
        criterion.levels = sorted(criterion.anchors.items(), key=lambda kv: float(kv[0]))
    return render(request, "jury/review.html", {
        "assignment": assignment, "entry": assignment.entry, "review": current,
        "criteria": criteria, "playback": playback(assignment.entry.vlog),
        "notes_json": json.dumps(current.notes), "conflict_form": ConflictForm(label_suffix=""),
        "others": selectors.other_reviews(assignment, current),
    })  # fmt: skip


def _act(request, assignment, current):
    post, version = request.POST, _version(request.POST)
    if "reopen" in post:
        services.reopen_review(review=current, user=request.user)
        return redirect("jury-review", pk=assignment.pk)
    saved = services.save_review(review=current, user=request.user, version=version,
                                 data=_review_data(post))  # fmt: skip
    if request.headers.get("X-Autosave") == "1":
        return JsonResponse({"saved": True, "version": saved.version})
    if "submit" in post or "submit_next" in post:
        services.submit_review(review=saved, user=request.user, version=saved.version)
        messages.success(request, _("Your review is submitted."))
        if "submit_next" in post:
            upcoming = (
                selectors.assignments_for(request.user)
                .filter(round=assignment.round)
                .exclude(review__state=ReviewState.SUBMITTED)
                .first()
            )
            if upcoming:
                return redirect("jury-review", pk=upcoming.pk)
        return redirect("jury-home")
    messages.success(request, _("Your review is saved."))
    return redirect("jury-review", pk=assignment.pk)


@login_required
@require_POST
def declare_conflict(request, pk: int):
    assignment = get_object_or_404(selectors.assignments_for(request.user), pk=pk)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tell us briefly why."))
        return redirect("jury-review", pk=pk)
    services.declare_conflict(round_=assignment.round, entry=assignment.entry,
                              user=request.user, reason=form.cleaned_data["reason"])  # fmt: skip
    messages.success(request, _("Thank you. This entry has been taken off your list."))
    return redirect("jury-home")


@login_required
@require_http_methods(["GET", "POST"])
def ties(request):
    """A jury member records their ties (places, organisations, board seats), so conflicts of
    interest can be found."""
    form = TieForm(request.POST if request.method == "POST" else None, label_suffix="")
    if request.method == "POST":
        if "delete" in request.POST:
            JurorTie.objects.filter(user=request.user, pk=request.POST["delete"]).delete()
            return redirect("jury-ties")
        if form.is_valid():
            JurorTie.objects.get_or_create(user=request.user, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("jury-ties")
    return render(request, "jury/ties.html", {
        "form": form, "ties": JurorTie.objects.filter(user=request.user).order_by("kind", "value"),
    })  # fmt: skip
