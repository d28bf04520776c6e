from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jury import services
from jury.enums import RoundState
from jury.models import Assignment, Conflict, Criterion, JurorTie, JuryMember, Review, Round
from prijzen.models import Edition


class CriterionInline(admin.TabularInline):
    """The rubric; read-only once the first score is in."""

    model = Criterion
    extra = 0

    def _editable(self, obj) -> bool:
        return obj is None or not services.rubric_locked(obj)

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["name", "edition", "category", "kind", "state", "opens_at", "closes_at"]
    list_filter = ["edition", "kind", "state"]
    inlines = [CriterionInline]
    actions = ["copy_to_newest_edition"]

    def get_readonly_fields(self, request, obj=None):
        """The state changes only through its transitions; the official method and k are
        fixed once scoring has opened."""
        fixed = ["state"]
        if obj is not None and obj.state != RoundState.DRAFT:
            fixed += ["official_method", "jurors_per_entry"]
        return fixed

    def change_view(self, request, object_id, form_url="", extra_context=None):
        round_ = self.get_object(request, object_id)
        if round_ is not None and services.rubric_locked(round_):
            messages.warning(request, _("The scoring form is locked: the first scores are in."))
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Copy to the newest edition (with the rubric)"))
    def copy_to_newest_edition(self, request, queryset):
        newest = Edition.objects.order_by("-year", "-pk").first()
        if newest is None:  # no edition, so no round either
            return
        for round_ in queryset:
            services.copy_round(source=round_, edition=newest, actor=request.user)
        n = queryset.count()
        self.message_user(
            request,
            ngettext("%(n)d round copied to %(edition)s.", "%(n)d rounds copied to %(edition)s.", n)
            % {"n": n, "edition": newest},
        )


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
