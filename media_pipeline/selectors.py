from __future__ import annotations

from decimal import Decimal

from django.apps import apps
from django.db.models import Q

from media_pipeline import ffmpeg, storage
from media_pipeline.enums import AssetState, RenditionKind
from media_pipeline.models import MediaAsset
from media_pipeline.profile import (
    FAILURES,
    MAX_FPS,
    MAX_LONG_SIDE,
    REJECTIONS,
    Storyboard,
    storyboard_vtt,
)


def playback(asset: MediaAsset | None) -> dict[str, object] | None:
    """Presigned preview and poster URLs of a ready asset, or None. The caller has already
    checked that the viewer may see the entry the asset belongs to."""
    if asset is None or asset.state != AssetState.READY:
        return None
    preview = asset.rendition(RenditionKind.PREVIEW)
    poster = asset.rendition(RenditionKind.POSTER)
    if preview is None:
        return None
    return {
        "src": storage.presigned_url(preview.key),
        "poster": storage.presigned_url(poster.key) if poster else "",
        "width": preview.width,
        "height": preview.height,
        "duration": preview.duration,
        "has_storyboard": asset.rendition(RenditionKind.STORYBOARD) is not None,
    }


def storyboard_index(asset: MediaAsset | None) -> str | None:
    """The WebVTT index of a ready asset's storyboard, pointing at a fresh presigned sprite
    URL (a stored file could not hold a URL that expires), or None."""
    if asset is None or asset.state != AssetState.READY:
        return None
    board = asset.rendition(RenditionKind.STORYBOARD)
    if board is None:
        return None
    meta = board.meta
    plan = Storyboard(
        interval=Decimal(meta["interval"]),
        frames=meta["frames"],
        tile_width=meta["tile_width"],
        tile_height=meta["tile_height"],
        columns=meta["columns"],
    )
    return storyboard_vtt(plan, storage.presigned_url(board.key))


def original_download_url(asset: MediaAsset, *, number: int | None = None) -> str:
    """A presigned URL that downloads the untouched original as an attachment (organisers).
    Named from the entry number and the container sniffed from the stored bytes, served as
    video: never under the entrant's file name or extension (an .hta or .html would run)."""
    if number is None:
        number = _entry_number(asset)
    extension, content_type = ffmpeg.download_type(
        storage.read_head(asset.original_key, ffmpeg.SNIFF_BYTES)
    )
    name = f"inzending-{number}" if number else f"vlog-{asset.uid}"
    return storage.presigned_url(
        asset.original_key, download_name=name + extension, content_type=content_type
    )


def _entry_number(asset: MediaAsset) -> int | None:
    """The number of the entry whose (new) vlog this is. The model is looked up by name: the
    media pipeline does not import the apps that use it."""
    entry = apps.get_model("prijzen", "Entry")
    found = entry.objects.filter(Q(vlog=asset) | Q(pending_vlog=asset)).values_list("number")
    return next((n for (n,) in found if n), None)


def vlog_status(asset: MediaAsset | None) -> dict[str, object] | None:
    """A vlog's processing state for people: the one presenter for the entry page's live
    status and the API. The viewer's access is the caller's check."""
    if asset is None:
        return None
    ready = asset.state == AssetState.READY
    shown = playback(asset) if ready else None
    return {
        "uid": asset.uid,
        "state": asset.state,
        "state_label": str(AssetState(asset.state).label),
        "final": asset.is_final,
        "progress": asset.progress,
        "error_code": asset.error_code,
        "error_message": _error_message(asset),
        "duration": asset.duration,
        "width": asset.width,
        "height": asset.height,
        "renditions": sorted(r.kind for r in asset.renditions.all()) if ready else [],
        "preview_url": shown["src"] if shown else None,
        "poster_url": (shown["poster"] or None) if shown else None,
    }


def _error_message(asset: MediaAsset) -> str:
    """The reason in the request's language where it can be rebuilt from the code (the stored
    text is in the language of the worker that wrote it)."""
    if asset.state not in (AssetState.REJECTED, AssetState.FAILED):
        return ""
    code = asset.error_code
    limits = {"too_large_dimensions": MAX_LONG_SIDE, "too_many_fps": MAX_FPS}
    if code in FAILURES:
        return str(FAILURES[code])
    if code in limits:
        return str(REJECTIONS[code]) % {"limit": limits[code]}
    if code in REJECTIONS and code != "too_long":  # too_long names the file's own duration
        return str(REJECTIONS[code])
    return asset.error_message
