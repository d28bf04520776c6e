from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = _("Accounts and system")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from common.second_factor import forget_link_sign_in

        user_logged_in.connect(forget_link_sign_in, dispatch_uid="forget_link_sign_in")
