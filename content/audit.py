"""Writing audit events. Always called inside the transaction of the change it records."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from content.models import AuditEvent, User

_SECRET_KEYS = ("password", "secret", "token", "code", "aes_key")


def _scrub(data: dict[str, Any]) -> dict[str, Any]:
    """Secrets never reach the audit log, whoever passes them in."""
    return {k: ("***" if any(s in k.lower() for s in _SECRET_KEYS) else v) for k, v in data.items()}


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
    event = AuditEvent(
        org_id=org_id,
        actor_id=actor.id if actor else None,
        actor_label=actor_label or (actor.name if actor else "system"),
        action=action,
        target_type=target_type,
        target_id=target_id,
        data=_scrub(data),
    )
    session.add(event)
    return event
