from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.exceptions import ValidationError

from common.api import not_saved, refused_json, validation_fields
from common.errors import DomainError
from jury import invitations, selectors, services
from jury.enums import ReviewState
from jury.forms import AcceptInvitationForm, ConflictForm, TieForm
from jury.models import JurorTie
from jury.review_input import review_input
from media_pipeline.selectors import playback
from web.accounts.second_factor import SIGNED_IN_BY_LINK, privileged


@require_http_methods(["GET", "POST"])
def invitation(request, token: str):
    """Accept an invitation to the jury, with the confidentiality terms."""
    try:
        member = invitations.invitation(token)
    except DomainError as error:
        return render(request, "jury/invitation.html", {"error": error.message}, status=400)
    form = AcceptInvitationForm(
        request.POST if request.method == "POST" else None,
        edition=member.round.edition,
        label_suffix="",
    )
    if request.method == "POST" and form.is_valid():
        member = invitations.accept_invitation(token=token, terms_accepted=True)
        if privileged(member.user):  # the link alone never opens an organiser's account
            messages.success(
                request, _("Welcome to the jury. Sign in as usual to see the entries for you.")
            )
            return redirect(f"{reverse('login')}?next={reverse('jury-home')}")
        login(request, member.user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SIGNED_IN_BY_LINK] = True
        messages.success(request, _("Welcome to the jury. Here are the entries for you."))
        return redirect("jury-home")
    return render(request, "jury/invitation.html", {"member": member, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def terms(request, pk: int):
    """Accept the edition's changed confidentiality terms, to see the round's entries again."""
    member = get_object_or_404(
        selectors.memberships(request.user), round_id=pk, accepted_at__isnull=False
    )
    form = AcceptInvitationForm(
        request.POST if request.method == "POST" else None,
        edition=member.round.edition,
        label_suffix="",
    )
    if request.method == "POST" and form.is_valid():
        invitations.accept_terms(member=member, terms_accepted=True)
        messages.success(request, _("Thank you. Here are the entries for you."))
        return redirect("jury-home")
    return render(request, "jury/terms.html", {"member": member, "form": form})


@login_required
def home(request):
    """The juror's assignments per round, with progress and the deadline."""
    rounds = list(selectors.memberships(request.user))
    assignments = list(selectors.assignments_for(request.user))
    progress = selectors.progress(by="round_id", user=request.user)
    for member in rounds:
        # For the template: the member's assignments and progress.
        member.assignments = [  # type: ignore[attr-defined]  # for the template
            a for a in assignments if a.round_id == member.round_id
        ]
        member.progress = progress.get(  # type: ignore[attr-defined]  # for the template
            member.round_id, selectors.Progress()
        )
    return render(request, "jury/home.html", {"memberships": rounds})


def _review_input(post) -> dict:
    """The scoring form as the review input that ``review_input`` checks (as the API's)."""
    raw = {
        "version": post.get("version", ""),
        "scores": {k.removeprefix("score-"): v for k, v in post.items() if k.startswith("score-")},
        "comments": {
            k.removeprefix("comment-"): v for k, v in post.items() if k.startswith("comment-")
        },
        "overall_comment": post.get("overall_comment", ""),
    }
    if post.get("notes"):
        try:
            raw["notes"] = json.loads(post["notes"])
        except json.JSONDecodeError:
            raw["notes"] = post["notes"]  # refused by the check, with its message
    if post.get("watched_seconds"):
        raw["watched_seconds"] = post["watched_seconds"]
    return raw


# The scoring form's fields as the juror knows them, for the message when one is not right.
FIELD_LABELS = {
    "version": gettext_lazy("Version"),
    "scores": gettext_lazy("Scores"),
    "comments": gettext_lazy("Comments"),
    "overall_comment": gettext_lazy("Overall comment"),
    "notes": gettext_lazy("Notes"),
    "watched_seconds": gettext_lazy("Time watched"),
}


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
    except ValidationError as error:
        fields = validation_fields(error)
        return _refused(request, pk, "invalid", not_saved(fields, FIELD_LABELS), fields)
    except DomainError as error:
        if request.method == "GET":
            messages.error(request, error.message)
            return redirect("jury-home")
        return _refused(request, pk, error.code, error.message)
    services.mark_opened(current)
    criteria = list(assignment.round.criteria.all())
    for criterion in criteria:
        # For the template: the juror's score, comment and the level texts.
        key = str(criterion.pk)
        criterion.value = current.scores.get(key, "")  # type: ignore[attr-defined]  # for the template
        criterion.comment = current.comments.get(key, "")  # type: ignore[attr-defined]  # for the template
        criterion.levels = criterion.level_texts()  # type: ignore[attr-defined]  # for the template
    return render(
        request,
        "jury/review.html",
        {
            "assignment": assignment,
            "entry": assignment.entry,
            "review": current,
            "criteria": criteria,
            "playback": playback(assignment.entry.vlog),
            "notes_json": json.dumps(current.notes),
            "conflict_form": ConflictForm(label_suffix=""),
            "others": services.others_shown(assignment=assignment, review=current),
            "watch_text": watch_text(assignment.round, current),
            "heartbeat_seconds": services.HEARTBEAT_INTERVAL,
        },
    )


def watch_text(round_, review) -> str:
    """What the watch time on the scoring page means, honestly: measured while the video
    plays on the page, which says nothing about whether anyone watches."""
    watch = services.watch_progress(round_, review)
    heard = int(review.heard_seconds)
    if watch is None:
        text = _("Watch time: %(heard)s seconds, measured while the video plays on this page.")
    else:
        text = _(
            "Watch time: %(heard)s of the %(needed)s seconds needed, measured while the "
            "video plays on this page."
        )
    text %= {"heard": heard, "needed": format(watch.needed.normalize(), "f") if watch else ""}
    return text + " " + _("The platform cannot see whether you are really watching.")


@login_required
@require_POST
def review_heartbeat(request, pk: int):
    """The scoring page's player is playing (sent every few seconds): the server measures
    the watch time from these. JSON: the measured seconds and the page's text."""
    assignment = get_object_or_404(selectors.assignments_for(request.user), pk=pk)
    try:
        current = services.review_for(assignment=assignment, user=request.user)
        current = services.heartbeat(
            review=current, user=request.user, start=request.POST.get("start") == "1"
        )
    except DomainError as error:
        return refused_json(error.code, error.message, counted=False)
    watch = services.watch_progress(assignment.round, current)
    return JsonResponse(
        {
            "counted": True,
            "heard_seconds": str(current.heard_seconds),
            "needed_seconds": str(watch.needed) if watch else None,
            "enough": watch.enough if watch else True,
            "message": watch_text(assignment.round, current),
        }
    )


def _refused(request, pk: int, code: str, message, fields: dict | None = None):
    """A change that was not made: the autosave gets the API's error shape, the form its
    page back with the message."""
    if request.headers.get("X-Autosave") == "1":
        return refused_json(code, message, fields, saved=False)
    messages.error(request, message)
    return redirect("jury-review", pk=pk)


def _act(request, assignment, current):
    post = request.POST
    if "reopen" in post:
        services.reopen_review(review=current, user=request.user)
        return redirect("jury-review", pk=assignment.pk)
    version, data = review_input(_review_input(post), round_=assignment.round, partial=False)
    saved = services.save_review(review=current, user=request.user, version=version, data=data)
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
    services.declare_conflict(
        round_=assignment.round,
        entry=assignment.entry,
        user=request.user,
        reason=form.cleaned_data["reason"],
    )
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
            try:
                services.remove_tie(user=request.user, pk=request.POST["delete"])
            except DomainError as error:
                messages.error(request, error.message)
            return redirect("jury-ties")
        if form.is_valid():
            services.add_tie(user=request.user, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("jury-ties")
    return render(
        request,
        "jury/ties.html",
        {
            "form": form,
            "ties": JurorTie.objects.filter(user=request.user).order_by("kind", "value"),
        },
    )
