"""Filters of the jury API's lists (django-filter); ordering is the `ordering` parameter."""

from __future__ import annotations

import django_filters

from common.api import FilterSet, IdFilter, TrueFalseFilter
from jury.enums import ConflictSource, ReviewState, RoundKind, RoundState
from jury.models import Assignment, Conflict, Round

NOT_STARTED = "not_started"


class RoundFilter(FilterSet):
    edition = django_filters.CharFilter(field_name="edition__slug", help_text="Edition slug.")
    state = django_filters.ChoiceFilter(choices=RoundState.choices)
    kind = django_filters.ChoiceFilter(choices=RoundKind.choices)

    class Meta:
        model = Round
        fields = ["edition", "state", "kind"]


class AssignmentFilter(FilterSet):
    round = IdFilter(field_name="round_id", help_text="Round id.")
    review_state = django_filters.ChoiceFilter(
        choices=[(NOT_STARTED, NOT_STARTED), *ReviewState.choices],
        method="filter_review_state",
        help_text="not_started (no review yet), draft or submitted.",
    )

    class Meta:
        model = Assignment
        fields = ["round", "review_state"]

    def filter_review_state(self, queryset, name, value):
        if value == NOT_STARTED:
            return queryset.filter(review__isnull=True)
        return queryset.filter(review__state=value)


class ConflictFilter(FilterSet):
    source = django_filters.ChoiceFilter(choices=ConflictSource.choices)
    active = TrueFalseFilter(
        field_name="dismissed_at", lookup_expr="isnull", help_text="Not dismissed."
    )
    entry = IdFilter(field_name="entry_id", help_text="Entry id.")

    class Meta:
        model = Conflict
        fields = ["source", "active", "entry"]
