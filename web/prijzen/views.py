from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from common.api import form_fields, not_saved, refused_json
from common.errors import DomainError
from common.http import confirmed, require_organiser, safe_next
from media_pipeline.selectors import original_download_url, playback, storyboard_index, vlog_status
from prijzen import selectors, services
from prijzen.enums import EntryState
from prijzen.forms import EntryForm, InitiativeForm
from prijzen.models import Edition, Entry
from prijzen.wordings import current_wordings
from results.selectors import entries_visible_to


def home(request):
    return render(request, "prijzen/home.html", {"editions": selectors.editions()})


@login_required
def entry_list(request):
    entries = entries_visible_to(request.user).order_by("edition", "number", "pk")
    open_editions = [] if request.user.is_organiser else selectors.open_editions()
    return render(
        request, "prijzen/entry_list.html", {"entries": entries, "open_editions": open_editions}
    )


@login_required
@require_http_methods(["GET", "POST"])
def initiative_edit(request):
    """The initiative's profile: name, municipality (from the list), contact, website."""
    initiative = selectors.initiative_of(request.user)
    form = InitiativeForm(request.POST if request.method == "POST" else None, instance=initiative)
    next_url = request.GET.get("next", "")
    take_part = request.GET.get("meedoen", "")
    if request.method == "POST" and form.is_valid():
        try:
            initiative = services.save_initiative(
                owner=request.user, data=form.cleaned_data, initiative=initiative
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The details of your initiative are saved."))
            edition = Edition.objects.filter(slug=take_part).first() if take_part else None
            if edition is not None:  # they pressed "Doe mee": the entry is the next step
                return _start(request, initiative, edition)
            return redirect(safe_next(request, next_url) or "entry-list")
    return render(request, "prijzen/initiative_form.html", {"form": form})


@login_required
@require_POST
def entry_start(request, slug: str):
    """Begin an entry for an open edition (the initiative profile comes first)."""
    edition = get_object_or_404(Edition, slug=slug)
    initiative = selectors.initiative_of(request.user)
    if initiative is None:
        messages.info(request, _("First tell us about your initiative; then you write your entry."))
        return redirect(f"{reverse('initiative-edit')}?meedoen={edition.slug}")
    return _start(request, initiative, edition)


def _start(request, initiative, edition):
    try:
        entry = services.start_entry(initiative=initiative, edition=edition, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("entry-list")
    return redirect("entry-edit", pk=entry.pk)


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request, pk: int):
    """The entry form: texts, consents, the vlog upload and submitting. The form saves as a
    draft on its own (autosave posts with X-Autosave and gets JSON back)."""
    entry = get_object_or_404(selectors.entries_of_entrant(request.user), pk=pk)
    autosave = request.headers.get("X-Autosave") == "1"
    consents = services.active_consents(entry)
    data = request.POST if request.method == "POST" else None
    form = EntryForm(
        data,
        instance=entry,
        edition=entry.edition,
        consents=consents,
        outdated=services.outdated_consents(entry),
    )
    grace = entry.state == EntryState.DRAFT and services.in_upload_grace(entry)
    if request.method == "POST" and grace and not autosave:
        return _submit_in_grace(request, entry)
    if request.method == "POST":
        try:
            return _save_entry(request, entry, form, autosave)
        except DomainError as error:
            if autosave:
                return refused_json(error.code, error.message, saved=False)
            messages.error(request, error.message)
            return redirect("entry-edit", pk=entry.pk)
    if not (services.may_edit(entry) or grace):
        return redirect("entry-detail", pk=entry.pk)
    return render(
        request,
        "prijzen/entry_edit.html",
        {
            "entry": entry,
            "form": form,
            "missing": services.missing_for_submission(entry),
            "playback": playback(entry.vlog),
            "grace_until": entry.edition.grace_ends_at if grace else None,
        },
    )


def _submitted(request, entry):
    messages.success(
        request,
        _("Your entry has been submitted. Its number is %(number)s. You will get an e-mail.")
        % {"number": entry.number},
    )
    return redirect("entry-detail", pk=entry.pk)


def _submit_in_grace(request, entry):
    """In the grace period the texts are as they were at the deadline: only submitting."""
    if "submit" in request.POST:
        try:
            entry = services.submit_entry(entry=entry, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("entry-edit", pk=entry.pk)
        return _submitted(request, entry)
    messages.error(request, _("The deadline has passed: the texts can no longer change."))
    return redirect("entry-edit", pk=entry.pk)


def _save_entry(request, entry, form, autosave: bool):
    if not form.is_valid():
        if autosave:
            fields = form_fields(form)
            labels = {name: field.label for name, field in form.fields.items()}
            return refused_json("invalid", not_saved(fields, labels), fields, saved=False)
        return render(
            request,
            "prijzen/entry_edit.html",
            {
                "entry": entry,
                "form": form,
                "missing": services.missing_for_submission(entry),
                "playback": playback(entry.vlog),
            },
            status=400,
        )
    data = form.cleaned_data
    services.save_draft(entry=entry, data=data, category=data["category"], actor=request.user)
    services.set_consents(entry=entry, given=set(data["consents"]), actor=request.user)
    if autosave:
        saved_at = timezone.localtime().strftime("%H:%M")
        return JsonResponse({"saved": True, "saved_at": saved_at})
    if "submit" in request.POST and entry.state == EntryState.DRAFT:
        return _submitted(request, services.submit_entry(entry=entry, actor=request.user))
    messages.success(request, _("Your changes are saved."))
    return redirect("entry-edit", pk=entry.pk)


@login_required
@require_POST
def entry_withdraw(request, pk: int):
    entry = get_object_or_404(selectors.entries_of_entrant(request.user), pk=pk)
    if not confirmed(request):
        return redirect("entry-edit", pk=entry.pk)
    try:
        services.withdraw_entry(entry=entry, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your entry has been withdrawn."))
    return redirect("entry-detail", pk=entry.pk)


@login_required
def entry_detail(request, pk: int):
    entry = get_object_or_404(entries_visible_to(request.user), pk=pk)
    own = entry.initiative.owner_id == request.user.pk
    return render(
        request,
        "prijzen/entry_detail.html",
        {
            "entry": entry,
            "playback": playback(entry.vlog),
            "publication": "publication" in services.active_consents(entry),
            "outdated": services.outdated_consents(entry),
            "wordings": current_wordings(entry.edition),
            "record": selectors.entry_record(entry) if request.user.is_organiser else None,
            "own": own,
            "may_edit": own and services.may_edit(entry),
            "may_reopen": own and services.may_reopen(entry),
        },
    )


@never_cache
@login_required
def entry_vlog_status(request, pk: int):
    """The vlog's processing state for the live status on the entry page."""
    entry = get_object_or_404(entries_visible_to(request.user), pk=pk)
    status = vlog_status(entry.pending_vlog or entry.vlog)
    return JsonResponse(status or {"state": None, "final": True})


@login_required
def entry_storyboard(request, pk: int):
    """WebVTT index of the vlog's storyboard (thumbnails for scrubbing)."""
    entry = get_object_or_404(entries_visible_to(request.user), pk=pk)
    index = storyboard_index(entry.vlog)
    if index is None:
        raise Http404
    return HttpResponse(index, content_type="text/vtt; charset=utf-8")


@login_required
def entry_original(request, pk: int):
    """Organisers download the untouched original, always as an attachment."""
    require_organiser(request.user)
    entry = get_object_or_404(entries_visible_to(request.user), pk=pk)
    if entry.vlog is None:
        raise Http404
    return HttpResponseRedirect(original_download_url(entry.vlog))


@login_required
@require_POST
def entry_poster(request, pk: int):
    """The entrant picks the moment of their vlog that becomes its picture (poster)."""
    entry = get_object_or_404(selectors.entries_of_entrant(request.user), pk=pk)
    try:
        at = Decimal(request.POST.get("at", ""))
        if not at.is_finite():
            raise ValueError(at)
        services.choose_entry_poster(entry=entry, at_seconds=at, actor=request.user)
    except (InvalidOperation, ValueError):
        messages.error(request, _("Choose a moment in the video first."))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The new picture is being made. It takes a few seconds."))
    return redirect("entry-edit", pk=entry.pk)


@login_required
@require_POST
def entry_publication(request, pk: int):
    """Give or withdraw consent for the public gallery, at any time."""
    entry = get_object_or_404(selectors.entries_of_entrant(request.user), pk=pk)
    given = request.POST.get("publication") == "1"
    services.set_publication_consent(entry=entry, given=given, actor=request.user)
    messages.success(
        request,
        _("Your vlog may be shown in the public gallery.")
        if given
        else _("Your vlog will not be shown in the public gallery."),
    )
    return redirect("entry-detail", pk=entry.pk)


@login_required
@require_POST
def entry_gallery_approval(request, pk: int):
    """Organisers approve an entry for the public gallery (or take the approval back)."""
    require_organiser(request.user)
    entry = get_object_or_404(Entry, pk=pk)
    approved = request.POST.get("approved") == "1"
    try:
        services.set_gallery_approval(entry=entry, approved=approved, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The entry is approved for the gallery.")
            if approved
            else _("The entry is no longer approved for the gallery."),
        )
    return redirect("entry-detail", pk=entry.pk)


@login_required
@require_POST
def entry_reopen(request, pk: int):
    """A withdrawn entry becomes a draft again (until the deadline)."""
    entry = get_object_or_404(selectors.entries_of_entrant(request.user), pk=pk)
    if not confirmed(request):
        return redirect("entry-detail", pk=entry.pk)
    try:
        services.reopen_entry(entry=entry, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("entry-detail", pk=entry.pk)
    return redirect("entry-edit", pk=entry.pk)
