from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = EntryState
# The only allowed state changes of an entry; prijzen.services.transition_entry applies them.
ENTRY_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.WITHDRAWN}),
    S.WITHDRAWN: frozenset({S.DRAFT}),
}


class ConsentKind(models.TextChoices):
    PRIVACY = "privacy", _("Privacy statement")
    PEOPLE = "people", _("Permission of the people in the vlog")
    PUBLICATION = "publication", _("Publication in the public gallery")


REQUIRED_CONSENTS = frozenset({ConsentKind.PRIVACY, ConsentKind.PEOPLE})
