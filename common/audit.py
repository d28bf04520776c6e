from __future__ import annotations

from typing import Any

from django.db import models

from common.models import AuditLog


def record(*, actor: Any, action: str, obj: models.Model, **data: Any) -> AuditLog:
    """Write one audit row for a change to ``obj``. Call inside the service's transaction."""
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        data=data,
    )
