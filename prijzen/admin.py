from django.contrib import admin

from prijzen.models import Category, Edition, Entry, Initiative


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "entries_open_at", "entries_close_at"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CategoryInline]


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
    readonly_fields = ["state", "number", "submitted_at", "vlog"]
