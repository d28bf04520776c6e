from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the platform (no models): health, the embedded S3 server, run_platform,
    doctor, the demo data and the translations' compilation."""

    name = "ops"
    verbose_name = _("Operations")
