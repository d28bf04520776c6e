from __future__ import annotations

from decimal import Decimal

from media_pipeline import storage
from media_pipeline.enums import AssetState, RenditionKind
from media_pipeline.models import MediaAsset
from media_pipeline.profile import Storyboard, storyboard_vtt


def playback(asset: MediaAsset | None) -> dict | None:
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


def original_download_url(asset: MediaAsset) -> str:
    """A presigned URL that downloads the untouched original as an attachment (organisers)."""
    name = "".join(c for c in asset.original_filename if c.isalnum() or c in "._- ") or "vlog"
    return storage.presigned_url(asset.original_key, download_name=name.strip()[:100])
