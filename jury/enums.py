from django.db import models
from django.utils.translation import gettext_lazy as _


class RoundKind(models.TextChoices):
    SELECTION = "selection", _("Selection round")
    FINAL = "final", _("Final round")


class RoundState(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    OPEN = "open", _("Open for scoring")
    CLOSED = "closed", _("Closed")


R = RoundState
# The only allowed state changes of a round; jury.services.transition_round applies them.
ROUND_TRANSITIONS: dict[str, frozenset[str]] = {
    R.DRAFT: frozenset({R.OPEN}),
    R.OPEN: frozenset({R.CLOSED}),
    R.CLOSED: frozenset({R.OPEN}),  # reopening is possible, and audited
}


class ScoreVisibility(models.TextChoices):
    NEVER = "never", _("Never")
    AFTER_OWN = "after_own", _("After submitting their own review")
    AFTER_CLOSE = "after_close", _("After the round closes")


class GeographyRule(models.TextChoices):
    NONE = "none", _("No geographic rule")
    MUNICIPALITY = "municipality", _("Not from the same municipality")
    PROVINCE = "province", _("Not from the same province")


class TieKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Lives or works in municipality")
    PROVINCE = "province", _("Lives or works in province")
    ORGANISATION = "organisation", _("Works or volunteers for organisation")
    BOARD = "board", _("Board seat")


class ConflictSource(models.TextChoices):
    DECLARED = "declared", _("Declared by the jury member")
    DETECTED = "detected", _("Found from recorded ties")


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


V = ReviewState
REVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    V.DRAFT: frozenset({V.SUBMITTED}),
    V.SUBMITTED: frozenset({V.DRAFT}),  # reopened by the juror until the round closes
}
