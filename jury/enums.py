from django.db import models
from django.utils.translation import gettext_lazy as _


class RoundKind(models.TextChoices):
    SELECTION = "selection", _("Selection round")
    FINAL = "final", _("Final round")
