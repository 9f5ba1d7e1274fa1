"""Write-only rows of one review-chain action, inserted together at its end.

A transition writes audit events and notifications that nothing reads back during the action.
Building each as an ORM object and flushing it through the unit of work costs more than the
statement itself, so `content.review.chain` collects them here, with exactly the values
`audit.record` and `notify` would store (the model's own defaults for every column not given),
and inserts each table's rows with one executemany when the action has succeeded — in the same
transaction, in the order they were recorded. An action that raises writes none of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import Insert, Table, insert
from sqlmodel import Session, SQLModel

from content.audit import audit_row
from content.models import AuditEvent, Item, Notification
from content.notify import notification_rows

_KEY = "gongkai_row_buffer"


def _insert_of(model: type[SQLModel]) -> Insert:
    table: Table = model.__table__  # type: ignore[attr-defined]  # SQLModel's stubs do not declare the mapped table
    return insert(table)


_INSERTS: dict[type[SQLModel], Insert] = {model: _insert_of(model) for model in (AuditEvent, Notification)}
_DEFAULTS: dict[type, list[tuple[str, Any, bool]]] = {}


def _defaults(model: type[SQLModel]) -> list[tuple[str, Any, bool]]:
    """(column, default or factory, is_factory) for every field but the primary key, read once per model."""
    if model not in _DEFAULTS:
        out = []
        for name, info in model.model_fields.items():
            if name == "id":
                continue
            if info.default_factory is not None:
                out.append((name, info.default_factory, True))
            elif info.default is not PydanticUndefined:
                out.append((name, info.default, False))
        _DEFAULTS[model] = out
    return _DEFAULTS[model]


def model_row(model: type[SQLModel], values: dict[str, Any]) -> dict[str, Any]:
    """The row the model would insert for `values`: its own defaults (and default factories) for the rest."""
    row = {name: (default() if factory else default) for name, default, factory in _defaults(model)}
    row.update(values)
    return row


class RowBuffer:
    def __init__(self) -> None:
        self._rows: dict[type[SQLModel], list[dict]] = {}

    def audit(self, **kw: Any) -> None:
        """What `content.audit.record` stores (its row, scrubbed by the same function)."""
        self._rows.setdefault(AuditEvent, []).append(model_row(AuditEvent, audit_row(**kw)))

    def notify(self, item: Item, user_ids: Iterable[int], kind: str, *, step_id: int | None = None,
               **data: Any) -> None:
        """What `content.notify.notify` stores (its rows, checked by the same function)."""
        for row in notification_rows(org_id=item.org_id, user_ids=user_ids, kind=kind, item=item, step_id=step_id,
                                     **data):
            self._rows.setdefault(Notification, []).append(model_row(Notification, row))

    def write(self, session: Session) -> None:
        """One executemany per table on the session's connection (Core: no ORM bulk-insert layer)."""
        for model, rows in self._rows.items():
            if rows:
                session.connection().execute(_INSERTS[model], rows)
        self._rows.clear()


@contextmanager
def action_rows(session: Session) -> Iterator[RowBuffer]:
    """The buffer of the action running in `session`; a nested action shares its caller's buffer."""
    outer = session.info.get(_KEY)
    if outer is not None:
        yield outer
        return
    buffer = session.info[_KEY] = RowBuffer()
    try:
        yield buffer
        buffer.write(session)
    finally:
        session.info.pop(_KEY, None)


def current(session: Session) -> RowBuffer | None:
    return session.info.get(_KEY)


def record_audit(session: Session, **kw: Any) -> None:
    """`audit.record` (same arguments), through the running action's buffer when there is one."""
    buffer = current(session)
    if buffer is None:
        from content import audit

        audit.record(session, **kw)
    else:
        buffer.audit(**kw)
