from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel
from jury.compute.rankings.common import METHODS
from jury.enums import (
    ConflictSource,
    GeographyRule,
    ReviewState,
    RoundKind,
    RoundState,
    ScoreVisibility,
    TieKind,
)

METHOD_CHOICES = [(m, m) for m in METHODS]


class Round(TimeStampedModel):
    """A judging round of an edition (a selection committee's round, then the jury's final)."""

    edition = models.ForeignKey(
        "prijzen.Edition",
        on_delete=models.CASCADE,
        related_name="rounds",
        verbose_name=_("edition"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RoundKind.choices)
    name = models.CharField(_("name"), max_length=200)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    category = models.ForeignKey(
        "prijzen.Category",
        verbose_name=_("category (empty: all)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rounds",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=RoundState.choices, default=RoundState.DRAFT
    )
    jurors_per_entry = models.PositiveSmallIntegerField(_("jury members per entry"), default=3)
    score_visibility = models.CharField(
        _("jury members see each other's scores"),
        max_length=20,
        choices=ScoreVisibility.choices,
        default=ScoreVisibility.AFTER_CLOSE,
    )
    hide_entrant_names = models.BooleanField(_("hide names of entrants"), default=False)
    min_watch_share = models.DecimalField(
        _("share of the vlog to watch before submitting"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
    )
    geography_rule = models.CharField(
        _("geographic conflict rule"),
        max_length=20,
        choices=GeographyRule.choices,
        default=GeographyRule.NONE,
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("remind jury members this many days before the deadline (0: never)"), default=3
    )
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    official_method = models.CharField(
        _("official ranking method"), max_length=20, choices=METHOD_CHOICES, default="mean"
    )
    source_round = models.ForeignKey(
        "self",
        verbose_name=_("judges the shortlist of round"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_rounds",
    )

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["edition", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="round_window_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    """One line of a round's rubric (beoordelingsformulier)."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("round")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name_nl = models.CharField(_("name (Dutch)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=Decimal("1"))
    scale_min = models.PositiveSmallIntegerField(_("lowest score"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=10)
    step = models.DecimalField(_("step"), max_digits=3, decimal_places=2, default=Decimal("1"))
    anchors = models.JSONField(_("description per level"), default=dict, blank=True)
    required = models.BooleanField(_("required"), default=True)
    counted = models.BooleanField(_("counts in the total"), default=True)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["round", "position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scale_max__gt=models.F("scale_min")), name="criterion_scale"
            ),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="criterion_weight_pos"),
        ]

    def __str__(self) -> str:
        return self.name_nl

    def level_texts(self) -> list[tuple[str, str]]:
        """What each score means, in the order of the scale. Levels that are not whole
        numbers on the scale (typed by hand in the admin, say) are left out."""
        levels = []
        for key, text in (self.anchors or {}).items():
            if str(key).isdigit() and self.scale_min <= int(key) <= self.scale_max and text:
                levels.append((int(key), str(key), str(text)))
        return [(key, text) for _n, key, text in sorted(levels)]


# The one rule of an active jury member: accepted the invitation and the confidentiality
# terms, and not dropped out. ``JuryMemberQuerySet.active`` and ``JuryMember.active`` both
# read it from here.
ACTIVE_MEMBER = {
    "accepted_at__isnull": False,
    "terms_accepted_at__isnull": False,
    "dropped_out_at__isnull": True,
}


class JuryMemberQuerySet(models.QuerySet):
    def in_jury(self) -> JuryMemberQuerySet:
        """Invited and not dropped out (whether or not they accepted yet)."""
        return self.filter(dropped_out_at__isnull=True)

    def active(self) -> JuryMemberQuerySet:
        """Active jury members (``ACTIVE_MEMBER``): the ones who score and see entries."""
        return self.filter(**ACTIVE_MEMBER)


class JuryMember(TimeStampedModel):
    """A person invited to score in a round. They see entries only after accepting the
    invitation and the confidentiality terms."""

    objects = JuryMemberQuerySet.as_manager()

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="members", verbose_name=_("round")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="jury_memberships",
        verbose_name=_("user"),
    )
    invitation_hash = models.CharField(
        _("invitation hash"), max_length=64, unique=True, null=True, blank=True
    )
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    terms_accepted_at = models.DateTimeField(
        _("confidentiality accepted at"), null=True, blank=True
    )
    terms_wording = models.ForeignKey(
        "prijzen.Wording",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confidentiality terms accepted"),
    )
    max_load = models.PositiveSmallIntegerField(_("maximum entries"), null=True, blank=True)
    dropped_out_at = models.DateTimeField(_("dropped out at"), null=True, blank=True)

    class Meta:
        verbose_name = _("jury member")
        verbose_name_plural = _("jury members")
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="jurymember_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.round})"

    @property
    def active(self) -> bool:
        """``ACTIVE_MEMBER`` for this one member, without a query."""
        return all(
            (getattr(self, lookup.removesuffix("__isnull")) is None) == isnull
            for lookup, isnull in ACTIVE_MEMBER.items()
        )


class JurorTie(models.Model):
    """A tie a juror records (where they live or work, organisations, board seats); used to
    find conflicts of interest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jury_ties",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TieKind.choices)
    value = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("tie")
        verbose_name_plural = _("ties")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "value"], name="jurortie_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"


class Conflict(TimeStampedModel):
    """A conflict of interest between a juror and an entry. A juror never sees or scores an
    entry with an active conflict; organisers may dismiss a detected one with a reason."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("round")
    )
    entry = models.ForeignKey(
        "prijzen.Entry", on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("entry")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jury_conflicts",
        verbose_name=_("user"),
    )
    source = models.CharField(_("source"), max_length=20, choices=ConflictSource.choices)
    reason = models.CharField(_("reason"), max_length=500)
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dismissed by"),
    )
    dismissal_reason = models.CharField(_("reason for dismissal"), max_length=500, blank=True)
    # A review the juror submitted before the conflict came to light does not count, unless
    # an organiser decides it may (audited): jury.services.decide_conflicted_review.
    review_kept = models.BooleanField(_("review counts"), default=False)
    review_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("review decided by"),
    )
    review_decision_reason = models.CharField(
        _("reason for the decision on the review"), max_length=500, blank=True
    )

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "entry", "user", "source"], name="conflict_unique_per_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.entry}: {self.reason}"


class Assignment(TimeStampedModel):
    """An entry given to a juror to score in a round."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("round")
    )
    entry = models.ForeignKey(
        "prijzen.Entry",
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("entry"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="jury_assignments",
        verbose_name=_("user"),
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["round", "entry", "user"], name="assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.entry}"


class Review(TimeStampedModel):
    """A juror's scores for one assigned entry. ``version`` guards against two tabs silently
    overwriting each other; the weighted total is computed on the server."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="review", verbose_name=_("assignment")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT
    )
    scores = models.JSONField(_("scores"), default=dict, blank=True)  # criterion id → "7.5"
    comments = models.JSONField(_("comments per criterion"), default=dict, blank=True)
    overall_comment = models.TextField(_("overall comment"), blank=True, max_length=5000)
    notes = models.JSONField(_("notes on the video"), default=list, blank=True)
    # What the browser reports as played, capped at the wall time since ``opened_at``:
    # shown for information only, never trusted for the watch minimum.
    watched_seconds = models.DecimalField(
        _("seconds watched"), max_digits=8, decimal_places=1, default=Decimal("0")
    )
    # Measured on the server: the time between heartbeats the scoring page sends while the
    # player plays (jury.services.heartbeat). The watch minimum counts this.
    heard_seconds = models.DecimalField(
        _("seconds played (measured)"), max_digits=8, decimal_places=1, default=Decimal("0")
    )
    last_heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    # When the juror first opened the scoring page (or read the review in the API).
    opened_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    weighted_total = models.DecimalField(
        _("weighted total"), max_digits=8, decimal_places=3, null=True, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # When the juror was first shown the other jury members' totals (score visibility "after
    # own"): from then on their submitted review is final.
    others_seen_at = models.DateTimeField(_("others' scores seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.assignment} ({self.state})"

    @property
    def is_final(self) -> bool:
        """Submitted, and the juror has seen the others' scores: it can no longer change."""
        return self.state == ReviewState.SUBMITTED and self.others_seen_at is not None


class Shortlisting(models.Model):
    """An entry a round sends on to the next round (voordracht). Private until the edition's
    results are published; every change is audited."""

    class How(models.TextChoices):
        TOP = "top", _("Top of the ranking")
        BY_HAND = "by_hand", _("By hand")

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="shortlist", verbose_name=_("round")
    )
    entry = models.ForeignKey(
        "prijzen.Entry", on_delete=models.CASCADE, related_name="+", verbose_name=_("entry")
    )
    how = models.CharField(_("how"), max_length=20, choices=How.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("shortlisted entry")
        verbose_name_plural = _("shortlist")
        ordering = ["round", "entry__number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "entry"], name="shortlisting_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.entry}"


class TieDecision(models.Model):
    """The organisers' order for entries that the round's tie rule leaves tied, with the
    written reason. Recorded while the round is open; closing freezes it in the certificate."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="tie_decisions", verbose_name=_("round")
    )
    key = models.CharField(_("key"), max_length=500)  # the tied entry ids, sorted, comma-separated
    order = models.JSONField(_("order (best first)"))
    reason = models.TextField(_("reason"), max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now=True)

    class Meta:
        verbose_name = _("tie decision")
        verbose_name_plural = _("tie decisions")
        constraints = [
            models.UniqueConstraint(fields=["round", "key"], name="tiedecision_unique_group"),
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.order}"


class ResultSnapshot(models.Model):
    """The results certificate of a closed round: method and parameters, the input scores with
    a SHA-256 of their canonical form, the software version and the resulting order."""

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="snapshots", verbose_name=_("round")
    )
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    method = models.CharField(_("method"), max_length=20)
    parameters = models.JSONField(_("parameters"), default=dict)
    inputs = models.JSONField(_("input scores"))
    input_sha256 = models.CharField(_("SHA-256 of the input"), max_length=64)
    ranking = models.JSONField(_("ranking"))
    software_version = models.CharField(_("software version"), max_length=40)

    class Meta:
        verbose_name = _("results certificate")
        verbose_name_plural = _("results certificates")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.round} {self.created_at:%Y-%m-%d %H:%M}"
