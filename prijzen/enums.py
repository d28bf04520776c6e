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


class WordingKind(models.TextChoices):
    """The texts of an edition that people agree to: the entrants' consents and the jury's
    confidentiality terms."""

    PRIVACY = ConsentKind.PRIVACY.value, ConsentKind.PRIVACY.label
    PEOPLE = ConsentKind.PEOPLE.value, ConsentKind.PEOPLE.label
    PUBLICATION = ConsentKind.PUBLICATION.value, ConsentKind.PUBLICATION.label
    JURY_TERMS = "jury_terms", _("Confidentiality terms of the jury")


class ResultsState(models.TextChoices):
    """Where an edition's decisions are: private (embargoed), scheduled for a moment, public."""

    PRIVATE = "private", _("Private (under embargo)")
    SCHEDULED = "scheduled", _("Scheduled for publication")
    PUBLISHED = "published", _("Published")


P = ResultsState
# The only allowed changes; results.decisions.transition_results applies them. Publishing is
# final: once the results are announced they are public record.
RESULTS_TRANSITIONS: dict[str, frozenset[str]] = {
    P.PRIVATE: frozenset({P.SCHEDULED, P.PUBLISHED}),
    P.SCHEDULED: frozenset({P.PRIVATE, P.PUBLISHED}),
    P.PUBLISHED: frozenset(),
}


class Outcome(models.TextChoices):
    """What an entrant hears after publication."""

    WINNER = "winner", _("Winner")
    NOMINEE = "nominee", _("Nominated")
    NOT_SELECTED = "not_selected", _("Not selected")
