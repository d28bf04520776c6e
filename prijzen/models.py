from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel
from media_pipeline.profile import minutes_seconds
from prijzen.enums import ConsentKind, EntryState, ResultsState, WordingKind


class Edition(TimeStampedModel):
    """One yearly edition of the prize, e.g. 'Nationale Vrijwilligersprijzen 2021'."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    question = models.TextField(_("question for entrants"), blank=True)
    entries_open_at = models.DateTimeField(_("entries open"))
    entries_close_at = models.DateTimeField(_("entries close"))
    ceremony_at = models.DateTimeField(_("ceremony"), null=True, blank=True)
    max_upload_bytes = models.BigIntegerField(_("maximum vlog size (bytes)"), default=2 * 1024**3)
    max_duration_seconds = models.PositiveIntegerField(_("maximum vlog duration (s)"), default=300)
    entries_per_initiative = models.PositiveSmallIntegerField(
        _("entries per initiative"), default=1
    )
    upload_grace_minutes = models.PositiveIntegerField(
        _("grace period for uploads started before the deadline (minutes)"), default=60
    )
    # The announcement: decisions stay private until results_state becomes "published".
    results_state = models.CharField(
        _("results"), max_length=20, choices=ResultsState.choices, default=ResultsState.PRIVATE
    )
    results_publish_at = models.DateTimeField(_("publish the results at"), null=True, blank=True)
    results_published_at = models.DateTimeField(_("results published at"), null=True, blank=True)
    share_feedback = models.BooleanField(
        _("send entrants who did not win the scores per criterion and anonymous jury remarks"),
        default=False,
    )
    gallery_review = models.BooleanField(
        _("entries show in the gallery after an organiser approved them"),
        default=False,
        help_text=_("Off: a submitted entry with publication consent shows at once."),
    )
    jury_second_factor = models.BooleanField(
        _("jury members sign in in two steps"),
        default=False,
        help_text=_("Jury members of this edition also need a code from an authenticator app."),
    )

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["-year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(entries_close_at__gt=models.F("entries_open_at")),
                name="edition_window_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def max_duration_label(self) -> str:
        """The maximum duration as minutes:seconds, e.g. '5:00'."""
        return minutes_seconds(self.max_duration_seconds)

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.entries_open_at <= at < self.entries_close_at

    @property
    def grace_ends_at(self):
        """Until when an upload that started before the deadline may still finish."""
        return self.entries_close_at + timedelta(minutes=self.upload_grace_minutes)

    @property
    def results_public(self) -> bool:
        return self.results_state == ResultsState.PUBLISHED


class Category(models.Model):
    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="categories", verbose_name=_("edition")
    )
    slug = models.SlugField(_("short name"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["edition", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "slug"], name="category_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name


class Initiative(TimeStampedModel):
    """A local volunteer initiative, project or organisation that enters."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="initiatives",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=200)
    municipality = models.CharField(_("municipality"), max_length=100)
    province = models.CharField(_("province"), max_length=50)
    contact_name = models.CharField(_("contact person"), max_length=150)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Entry(TimeStampedModel):
    """An entry (inzending): an initiative's vlog and texts for one edition and category."""

    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="entries", verbose_name=_("edition")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="entries", verbose_name=_("category")
    )
    initiative = models.ForeignKey(
        Initiative, on_delete=models.PROTECT, related_name="entries", verbose_name=_("initiative")
    )
    gallery_approved_at = models.DateTimeField(
        _("approved for the gallery at"), null=True, blank=True
    )
    number = models.PositiveIntegerField(_("entry number"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=120)
    summary = models.TextField(_("short description"), max_length=500, blank=True)
    answer = models.TextField(_("answer to the question"), max_length=3000, blank=True)
    vlog = models.ForeignKey(
        "media_pipeline.MediaAsset",
        verbose_name=_("vlog"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A new upload replaces the vlog only once it is ready; until then the old one stays.
    pending_vlog = models.ForeignKey(
        "media_pipeline.MediaAsset",
        verbose_name=_("new vlog (processing)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=EntryState.choices, default=EntryState.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    outcome_sent_at = models.DateTimeField(_("outcome e-mail sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["edition", "number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "number"], name="entry_unique_number_per_edition"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Wording(models.Model):
    """One version of a text of an edition that people agree to. Versions are never changed:
    a new text is a new version, and every consent and jury acceptance points at the version
    that was shown (``prijzen.wordings``)."""

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="wordings", verbose_name=_("edition")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=WordingKind.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("wording")
        verbose_name_plural = _("wordings")
        ordering = ["edition_id", "kind", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "kind", "version"], name="wording_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.edition} {self.kind} v{self.version}"


class Consent(models.Model):
    """A consent given for an entry, with the time and the version of the wording shown.
    Withdrawing keeps the row (with withdrawn_at) so the history stays auditable."""

    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="consents", verbose_name=_("entry")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ConsentKind.choices)
    wording = models.ForeignKey(
        Wording, on_delete=models.PROTECT, related_name="consents", verbose_name=_("wording")
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("given by"),
    )
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["entry", "kind", "given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "kind"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry} {self.kind} v{self.wording.version}"


class Award(TimeStampedModel):
    """A winner of a category, with the jury's motivation. Private until the edition's results
    are published."""

    entry = models.OneToOneField(
        Entry, on_delete=models.PROTECT, related_name="award", verbose_name=_("entry")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="awards", verbose_name=_("category")
    )
    motivation = models.TextField(_("jury motivation"), max_length=3000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["category", "entry__number"]

    def __str__(self) -> str:
        return f"{self.category}: {self.entry}"
