from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrijzenConfig(AppConfig):
    name = "prijzen"
    verbose_name = _("Prizes")

    def ready(self) -> None:
        from media_pipeline.signals import asset_ready

        def promote(sender, asset_id: int, **kwargs) -> None:
            from prijzen.services import promote_ready_vlog

            promote_ready_vlog(asset_id=asset_id)

        asset_ready.connect(promote, dispatch_uid="prijzen.promote_ready_vlog")
