from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What an account is for. Organisers also get is_staff (the Django admin)."""

    ENTRANT = "entrant", _("Entrant")
    JUROR = "juror", _("Jury member")
    ORGANISER = "organiser", _("Organiser")
