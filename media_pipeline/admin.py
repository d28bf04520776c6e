from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.errors import InvalidTransition
from media_pipeline.models import MediaAsset, MediaJob, Rendition
from media_pipeline.services import reprocess_asset


class RenditionInline(admin.TabularInline):
    model = Rendition
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "key", "content_type", "size_bytes", "width", "height", "duration"]


class MediaJobInline(admin.TabularInline):
    model = MediaJob
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "kind",
        "status",
        "attempts",
        "progress",
        "worker_host",
        "started_at",
        "finished_at",
        "error_code",
        "log_tail",
    )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MediaAsset)
class MediaAssetAdmin(admin.ModelAdmin):
    list_display = ["__str__", "owner", "state", "progress", "duration", "created_at"]
    list_filter = ["state"]
    search_fields = ["original_filename", "owner__email", "uid"]
    readonly_fields = [f.name for f in MediaAsset._meta.fields]
    inlines = [RenditionInline, MediaJobInline]
    actions = ["reprocess"]

    @admin.action(description=_("Process again (failed or ready files)"))
    def reprocess(self, request, queryset):
        done = skipped = 0
        for asset_id in queryset.values_list("pk", flat=True):
            try:
                reprocess_asset(asset_id=asset_id, actor=request.user)
                done += 1
            except InvalidTransition:
                skipped += 1
        if done:
            self.message_user(
                request,
                ngettext("%(n)d file queued.", "%(n)d files queued.", done) % {"n": done},
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)d file skipped: only failed or ready files can be processed again.",
                    "%(n)d files skipped: only failed or ready files can be processed again.",
                    skipped,
                )
                % {"n": skipped},
                level=messages.WARNING,
            )

    def has_add_permission(self, request):
        return False
