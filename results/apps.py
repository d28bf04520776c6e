from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    """Decisions and what may be known of them (no models of its own: awards belong to
    ``prijzen``, shortlists to ``jury``): awards, the embargo, publication and outcome
    e-mails."""

    name = "results"
    verbose_name = _("Results")
