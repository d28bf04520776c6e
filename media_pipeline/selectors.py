from __future__ import annotations

from media_pipeline import storage
from media_pipeline.enums import AssetState, RenditionKind
from media_pipeline.models import MediaAsset


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
    }
