"""Signals other apps may listen to; the media pipeline itself knows nothing about entries."""

from django.dispatch import Signal

# Sent after commit when an asset became ready; kwargs: asset_id.
asset_ready = Signal()
