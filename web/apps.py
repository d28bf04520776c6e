from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The pages (no models): entrants', jurors', organisers' and public pages."""

    name = "web"
    verbose_name = _("Pages")

    def ready(self) -> None:
        # Inline: apps.py may not import models before the registry is ready.
        from django.contrib.auth.signals import user_logged_in

        from web.accounts.second_factor import forget_link_sign_in

        user_logged_in.connect(forget_link_sign_in, dispatch_uid="forget_link_sign_in")
