from django.contrib import admin

from jury.models import Assignment, Conflict, Criterion, JurorTie, JuryMember, Review, Round


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["name", "edition", "category", "kind", "state", "opens_at", "closes_at"]
    list_filter = ["edition", "kind", "state"]
    readonly_fields = ["state"]
    inlines = [CriterionInline]


@admin.register(JuryMember)
class JuryMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "round", "accepted_at", "terms_accepted_at", "dropped_out_at"]
    list_filter = ["round"]
    search_fields = ["user__email"]


@admin.register(JurorTie)
class JurorTieAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "value"]
    list_filter = ["kind"]
    search_fields = ["user__email", "value"]


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ["user", "entry", "round", "source", "reason", "dismissed_at"]
    list_filter = ["round", "source"]
    readonly_fields = ["dismissed_at", "dismissed_by"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "entry", "round"]
    list_filter = ["round"]
    list_select_related = ["user", "entry", "round"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["assignment", "state", "weighted_total", "submitted_at"]
    list_filter = ["state"]
    readonly_fields = [f.name for f in Review._meta.fields]

    def has_add_permission(self, request):
        return False
