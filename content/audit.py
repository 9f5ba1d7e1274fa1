"""The one writer of audit events, always inside the transaction of the change it records.

Every path builds its row with `audit_row`, which scrubs secrets (by key, at any depth) whoever passes
them in: `record` adds one event to the session, `record_many` inserts a batch in one statement (the
outbox's claims), and the review chain's row buffer (content/db/rowbuffer.py) inserts the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from content.models import AuditEvent, User
from content.timeutil import utcnow

_SECRET_KEYS = ("password", "secret", "token", "code", "aes_key")
MASK = "***"


def _scrub(data: Any) -> Any:
    """Secrets never reach the audit log: a value under a secret-looking key is masked, nested ones too."""
    if isinstance(data, dict):
        return {k: (MASK if any(s in str(k).lower() for s in _SECRET_KEYS) else _scrub(v)) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_scrub(v) for v in data]
    return data


def audit_row(
    *,
    org_id: int,
    action: str,
    target_type: str,
    target_id: int | None,
    actor: User | None = None,
    actor_label: str = "",
    **data: Any,
) -> dict[str, Any]:
    """The column values of one event (without `id` and `at`), its data scrubbed."""
    return {
        "org_id": org_id,
        "actor_id": actor.id if actor else None,
        "actor_label": actor_label or (actor.name if actor else "system"),
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "data": _scrub(data),
    }


def record(
    session: Session,
    *,
    org_id: int,
    action: str,
    target_type: str,
    target_id: int | None,
    actor: User | None = None,
    actor_label: str = "",
    **data: Any,
) -> AuditEvent:
    event = AuditEvent(**audit_row(org_id=org_id, action=action, target_type=target_type, target_id=target_id,
                                   actor=actor, actor_label=actor_label, **data))
    session.add(event)
    return event


def record_many(session: Session, rows: Iterable[dict[str, Any]]) -> int:
    """Insert events built by `audit_row` in one statement (same transaction); returns how many."""
    at = utcnow()
    batch = [{**row, "data": _scrub(row["data"]), "at": at} for row in rows]
    if batch:
        session.execute(insert(AuditEvent), batch)
    return len(batch)
