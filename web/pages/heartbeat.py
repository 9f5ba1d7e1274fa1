"""Is the scheduler alive? Read from its heartbeat table (the database is the only channel).

`content` may not import `scheduler`, so the row is read through a lightweight table reference.
The rule matches `app.health.heartbeat_status`: fresh while younger than two intervals. A table that does not exist yet, or holds no row,
counts as "never ran": a stopped scheduler must never look healthy.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, column, select, table
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from content.models.base import UTCDateTime
from content.timeutil import as_utc, utcnow

_HB = table("scheduler_heartbeat", column("beat_at", UTCDateTime()), column("interval_seconds", Float()))


def read_heartbeat(session: Session, now: datetime | None = None) -> dict:
    """Uses the request's own session: on SQLite every transaction is BEGIN IMMEDIATE, so a second
    connection inside the same request would wait for the first one's lock."""
    now = now or utcnow()
    try:
        with session.begin_nested():  # a missing table must not abort the request's transaction
            row = session.execute(select(_HB.c.beat_at, _HB.c.interval_seconds)
                                  .order_by(_HB.c.beat_at.desc()).limit(1)).first()
    except SQLAlchemyError:
        row = None
    if row is None:
        return {"ok": False, "detail": "调度器从未运行，已通过的稿件不会被发布"}
    age = (now - as_utc(row[0])).total_seconds()
    interval = max(float(row[1] or 0), 1.0)
    if age <= 2 * interval:
        return {"ok": True, "detail": "正常", "age_seconds": age}
    minutes = int(age // 60)
    since = f"{minutes} 分钟" if minutes else f"{int(age)} 秒"
    return {"ok": False, "age_seconds": age,
            "detail": f"调度器心跳已 {since}未更新，到期稿件不会被发布，请检查调度器进程"}
