from django.contrib import admin

from media_pipeline.models import MediaAsset, Rendition


class RenditionInline(admin.TabularInline):
    model = Rendition
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "key", "content_type", "size_bytes", "width", "height", "duration"]


@admin.register(MediaAsset)
class MediaAssetAdmin(admin.ModelAdmin):
    list_display = ["__str__", "owner", "state", "progress", "duration", "created_at"]
    list_filter = ["state"]
    search_fields = ["original_filename", "owner__email", "uid"]
    readonly_fields = [f.name for f in MediaAsset._meta.fields]
    inlines = [RenditionInline]

    def has_add_permission(self, request):
        return False
