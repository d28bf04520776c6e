from django.db import models
from django.utils.translation import gettext_lazy as _


class AssetState(models.TextChoices):
    AWAITING_UPLOAD = "awaiting_upload", _("Waiting for upload")
    UPLOADED = "uploaded", _("Uploaded")
    PROBING = "probing", _("Checking")
    PROCESSING = "processing", _("Converting")
    READY = "ready", _("Ready")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


S = AssetState
# The only allowed state changes of a media asset. media_pipeline.services.transition_asset
# is the one place that applies them.
ASSET_TRANSITIONS: dict[str, frozenset[str]] = {
    S.AWAITING_UPLOAD: frozenset({S.UPLOADED, S.REJECTED, S.CANCELLED, S.EXPIRED}),
    S.UPLOADED: frozenset({S.PROBING, S.CANCELLED, S.FAILED}),  # failed: attempts used up
    S.PROBING: frozenset({S.PROCESSING, S.REJECTED, S.FAILED, S.UPLOADED}),
    S.PROCESSING: frozenset({S.READY, S.REJECTED, S.FAILED, S.UPLOADED}),
    S.READY: frozenset({S.UPLOADED}),  # reprocess after a profile change
    S.REJECTED: frozenset(),
    S.FAILED: frozenset({S.UPLOADED}),  # organiser retry
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
}
FINAL_STATES = frozenset({S.READY, S.REJECTED, S.FAILED, S.CANCELLED, S.EXPIRED})


class RenditionKind(models.TextChoices):
    PREVIEW = "preview", _("Web preview")
    POSTER = "poster", _("Poster image")
    THUMBNAIL = "thumbnail", _("Thumbnail")
    STORYBOARD = "storyboard", _("Storyboard")


class JobKind(models.TextChoices):
    PROBE = "probe", _("Check")
    PREVIEW = "preview", _("Web preview")
    POSTER = "poster", _("Poster image")
    THUMBNAIL = "thumbnail", _("Thumbnail")
    STORYBOARD = "storyboard", _("Storyboard")


class JobStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
