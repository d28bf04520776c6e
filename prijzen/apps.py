from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrijzenConfig(AppConfig):
    name = "prijzen"
    verbose_name = _("Prizes")

    def ready(self) -> None:
        # Inline: apps.py may not import models (services do) before the registry is ready.
        from media_pipeline.signals import asset_ready
        from prijzen.services import promote_ready_vlog

        def promote(sender, asset_id: int, **kwargs) -> None:
            promote_ready_vlog(asset_id=asset_id)

        asset_ready.connect(promote, dispatch_uid="prijzen.promote_ready_vlog")
