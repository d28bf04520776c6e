"""The schema class of the API (kept apart: drf-spectacular's AutoSchema imports DRF's
generic views, which import the pagination class from common.api)."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.backends.base.operations import BaseDatabaseOperations
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema, with integer bounds that Django takes from the database
    backend (SQLite allows 64 bits everywhere, PostgreSQL has smallint) written as the
    portable SQL ranges: the schema is the same whichever database generates it."""

    def _insert_min_max(self, field, content) -> None:
        super()._insert_min_max(field, content)
        model_field = _model_field(field)
        internal = model_field.get_internal_type() if model_field is not None else ""
        if internal not in BaseDatabaseOperations.integer_field_ranges:
            return
        backend = connection.ops.integer_field_range(internal)
        portable = BaseDatabaseOperations.integer_field_ranges[internal]
        for key, ours, standard in zip(("minimum", "maximum"), backend, portable, strict=True):
            if key in content and content[key] == ours:
                content[key] = standard


def _model_field(field):
    """The model field behind a ModelSerializer's field, or None."""
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    source = getattr(field, "source", "") or ""
    if model is None or "." in source or source == "*":
        return None
    try:
        return model._meta.get_field(source)
    except FieldDoesNotExist:
        return None
