from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrijzenConfig(AppConfig):
    name = "prijzen"
    verbose_name = _("Prizes")
