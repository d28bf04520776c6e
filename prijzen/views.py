from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from media_pipeline.enums import AssetState
from media_pipeline.selectors import original_download_url, playback, storyboard_index
from prijzen import selectors


def home(request):
    return render(request, "prijzen/home.html", {"editions": selectors.editions()})


@login_required
def entry_list(request):
    entries = selectors.entries_visible_to(request.user).order_by("edition", "number", "pk")
    return render(request, "prijzen/entry_list.html", {"entries": entries})


@login_required
def entry_detail(request, pk: int):
    entry = get_object_or_404(selectors.entries_visible_to(request.user), pk=pk)
    return render(
        request, "prijzen/entry_detail.html", {"entry": entry, "playback": playback(entry.vlog)}
    )


@never_cache
@login_required
def entry_vlog_status(request, pk: int):
    """The vlog's processing state for the live status on the entry page."""
    entry = get_object_or_404(selectors.entries_visible_to(request.user), pk=pk)
    asset = entry.vlog
    if asset is None:
        return JsonResponse({"state": None, "label": "", "progress": 0, "final": True})
    return JsonResponse(
        {
            "state": asset.state,
            "label": str(AssetState(asset.state).label),
            "progress": asset.progress,
            "message": asset.error_message if asset.state == AssetState.REJECTED else "",
            "final": asset.is_final,
        }
    )


@login_required
def entry_storyboard(request, pk: int):
    """WebVTT index of the vlog's storyboard (thumbnails for scrubbing)."""
    entry = get_object_or_404(selectors.entries_visible_to(request.user), pk=pk)
    index = storyboard_index(entry.vlog)
    if index is None:
        raise Http404
    return HttpResponse(index, content_type="text/vtt; charset=utf-8")


@login_required
def entry_original(request, pk: int):
    """Organisers download the untouched original, always as an attachment."""
    if not request.user.is_organiser:
        raise Http404
    entry = get_object_or_404(selectors.entries_visible_to(request.user), pk=pk)
    if entry.vlog is None:
        raise Http404
    return HttpResponseRedirect(original_download_url(entry.vlog))
