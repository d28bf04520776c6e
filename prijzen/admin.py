from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from prijzen.models import Award, Category, Edition, Entry, Initiative


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "year",
        "entries_open_at",
        "entries_close_at",
        "results_state",
        "results_link",
    ]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CategoryInline]
    # The embargo changes only through results.decisions (the results page), never here.
    readonly_fields = [
        "results_state",
        "results_publish_at",
        "results_published_at",
        "share_feedback",
    ]

    @admin.display(description=_("results"))
    def results_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("results-manage", args=[obj.slug]), _("Decisions")
        )


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    """Read-only: winners are recorded on the results page, which keeps the embargo."""

    list_display = ["entry", "category", "decided_by", "created_at"]
    list_filter = ["category__edition"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "province", "owner"]
    search_fields = ["name", "municipality", "owner__email"]
    list_filter = ["province"]


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "initiative", "category", "state", "submitted_at"]
    list_filter = ["edition", "category", "state"]
    search_fields = ["title", "initiative__name"]
    list_select_related = ["initiative", "category"]
    readonly_fields = ["state", "number", "submitted_at", "vlog", "outcome_sent_at"]
