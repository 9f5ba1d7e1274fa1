"""The dashboard's scheduler banner: the scheduler's own freshness rule (scheduler.heartbeat), in the
request's own session (on SQLite every transaction is BEGIN IMMEDIATE, so a second connection inside the
same request would wait for the first one's lock). A stopped scheduler must never look healthy.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from scheduler.heartbeat import heartbeat_status


def read_heartbeat(session: Session, interval: float, now: datetime | None = None) -> dict:
    status = heartbeat_status(session, interval, now=now)
    return {"ok": status.ok, "detail": "正常" if status.ok else status.message, "age_seconds": status.age_seconds}
