"""One transition routine shared by every state machine (entry, media asset, round)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models, transaction

from common import audit
from common.errors import InvalidTransition

M = TypeVar("M", bound=models.Model)


def transition(
    *,
    model: type[M],
    pk: Any,
    to: str,
    table: Mapping[str, frozenset[str]],
    actor: Any = None,
    field: str = "state",
    where: Mapping[str, Any] | None = None,
    **changes: Any,
) -> M:
    """Lock the row, check ``table[current]`` allows ``to``, save it with ``changes`` and
    write a state-change audit row. Raises InvalidTransition when the table forbids it.
    ``where`` adds conditions the row must still meet (a fencing token, say); when it does
    not, ``model.DoesNotExist`` is raised and nothing changes."""
    with transaction.atomic():
        obj = model._default_manager.select_for_update().filter(**(where or {})).get(pk=pk)
        current = getattr(obj, field)
        if to not in table.get(current, frozenset()):
            raise InvalidTransition(code="invalid_transition", current=current, to=to)
        setattr(obj, field, to)
        for name, value in changes.items():
            setattr(obj, name, value)
        obj.save(update_fields=[field, *changes.keys(), *_auto_now_fields(obj)])
        audit.record(actor=actor, action="state_change", obj=obj, **{"from": current, "to": to})
    return obj


def _auto_now_fields(obj: models.Model) -> list[str]:
    return [f.name for f in obj._meta.concrete_fields if getattr(f, "auto_now", False)]
