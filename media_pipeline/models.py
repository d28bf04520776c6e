from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel
from media_pipeline.enums import FINAL_STATES, AssetState, JobKind, JobStatus, RenditionKind


class MediaAsset(TimeStampedModel):
    """One uploaded original (a vlog) and the state of its processing."""

    uid = models.UUIDField(_("uid"), default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="media_assets",
    )
    original_key = models.CharField(_("storage key"), max_length=255, unique=True)
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True)
    size_bytes = models.BigIntegerField(_("size (bytes)"), null=True, blank=True)
    # Browser uploads: the S3 multipart upload and the part size the server chose.
    multipart_upload_id = models.CharField(_("multipart upload id"), max_length=255, blank=True)
    part_size = models.PositiveIntegerField(_("part size"), null=True, blank=True)
    completing_since = models.DateTimeField(
        _("completing since"), null=True, blank=True
    )  # one completion at a time
    requeued_at = models.DateTimeField(
        _("queued again at"), null=True, blank=True
    )  # last queued by the reconciler
    max_duration_seconds = models.PositiveIntegerField(_("maximum duration (s)"), default=300)
    state = models.CharField(
        _("state"), max_length=20, choices=AssetState.choices, default=AssetState.AWAITING_UPLOAD
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error_code = models.CharField(_("error code"), max_length=50, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    probe = models.JSONField(_("probe"), default=dict, blank=True)
    duration = models.DecimalField(
        _("duration (s)"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    processing_version = models.PositiveSmallIntegerField(_("processing version"), default=0)
    ffmpeg_version = models.CharField(_("ffmpeg version"), max_length=200, blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    poster_at = models.DecimalField(
        _("poster moment (s)"), max_digits=10, decimal_places=3, null=True, blank=True
    )  # chosen by the entrant; empty: a frame near the start
    # A poster job is queued and has not started: further choices queue no other job (the
    # queued one reads the latest moment when it starts, and clears this).
    poster_pending_since = models.DateTimeField(
        _("poster job waiting since"), null=True, blank=True
    )
    warnings = models.JSONField(_("warnings"), default=list, blank=True)  # failed optional outputs
    # The processing lease: a worker owns the asset while lease_expires_at is in the future.
    # Every claim raises lease_token (the fencing token); writes check it, so a worker that
    # lost its lease can never overwrite the work of the one that took over.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    lease_token = models.PositiveIntegerField(_("fencing token"), default=0)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("media file")
        verbose_name_plural = _("media files")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="mediaasset_progress_lte_100"
            ),
        ]

    def __str__(self) -> str:
        return self.original_filename or str(self.uid)

    @property
    def is_final(self) -> bool:
        """Processing has ended (ready, or it will not go on without someone acting)."""
        return self.state in FINAL_STATES

    def rendition(self, kind: str) -> Rendition | None:
        """The rendition of ``kind`` (uses prefetched renditions when present)."""
        return next((r for r in self.renditions.all() if r.kind == kind), None)


class Rendition(TimeStampedModel):
    """One output derived from an asset: the web preview or the poster image."""

    asset = models.ForeignKey(
        MediaAsset, on_delete=models.CASCADE, related_name="renditions", verbose_name=_("asset")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RenditionKind.choices)
    key = models.CharField(_("storage key"), max_length=255, unique=True)
    content_type = models.CharField(_("file type"), max_length=100)
    size_bytes = models.BigIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    duration = models.DecimalField(
        _("duration (s)"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    meta = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("rendition")
        verbose_name_plural = _("renditions")
        constraints = [
            models.UniqueConstraint(fields=["asset", "kind"], name="rendition_unique_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.asset} ({self.kind})"


class MediaJob(TimeStampedModel):
    """One step of processing an asset (probe, preview, poster): what ran, where, how it went."""

    asset = models.ForeignKey(
        MediaAsset, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("asset")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=JobKind.choices)
    processing_version = models.PositiveSmallIntegerField(_("processing version"))
    status = models.CharField(_("status"), max_length=20, choices=JobStatus.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    fencing_token = models.PositiveIntegerField(_("fencing token"), default=0)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    worker_host = models.CharField(_("worker"), max_length=255, blank=True)
    ffmpeg_version = models.CharField(_("ffmpeg version"), max_length=200, blank=True)
    command = models.JSONField(_("command"), default=list, blank=True)
    log_tail = models.TextField(_("log (end)"), blank=True)
    error_code = models.CharField(_("error code"), max_length=50, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("processing step")
        verbose_name_plural = _("processing steps")
        ordering = ["asset", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "kind", "processing_version"], name="mediajob_unique_step"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset} {self.kind} ({self.status})"
