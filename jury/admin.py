from django.contrib import admin

from jury.models import Criterion, Round


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["name", "edition", "kind", "opens_at", "closes_at"]
    list_filter = ["edition", "kind"]
    inlines = [CriterionInline]
