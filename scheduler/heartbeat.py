"""The scheduler's heartbeat: a stopped scheduler must never look healthy.

Each scheduler process upserts its own row every interval. `heartbeat_status` is the one freshness
rule, and every face asks it (`gongkai check-config`, /readyz, the API and the dashboard banner):
`fresh` when the newest beat is at most two intervals old, `stale` when older, `never` when no
scheduler has ever run on this database (or its table does not exist yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from content.db.db import session_scope
from content.timeutil import as_utc, fmt_local, utcnow
from scheduler.models import SchedulerHeartbeat


def beat(
    engine: Engine, instance: str, *, interval: float, info: str = "", now: datetime | None = None
) -> None:
    now = now or utcnow()
    with session_scope(engine) as s:
        row = s.exec(select(SchedulerHeartbeat).where(SchedulerHeartbeat.instance == instance)).first()
        if row is None:
            row = SchedulerHeartbeat(instance=instance, started_at=now, beat_at=now)
        row.beat_at, row.interval_seconds, row.info = now, interval, info[:500]
        s.add(row)


@dataclass
class HeartbeatStatus:
    status: str  # fresh | stale | never
    last_beat: datetime | None
    age_seconds: float | None
    instances: int

    @property
    def ok(self) -> bool:
        return self.status == "fresh"

    @property
    def message(self) -> str:
        if self.status == "never":
            return "调度器从未运行：已批准的稿件不会自动发布，请启动 gongkai scheduler 或 gongkai run"
        when = fmt_local(self.last_beat, "%Y-%m-%d %H:%M:%S")
        if self.status == "stale":
            age = self.age_seconds or 0.0
            ago = f"{int(age // 60)} 分钟" if age >= 60 else f"{age:.0f} 秒"
            return f"调度器已停止：最后一次心跳在 {when}（{ago}前），到期稿件不会自动发布，请检查调度器进程"
        return f"调度器运行正常（最后心跳 {when}，{self.instances} 个进程）"

    def as_dict(self) -> dict:
        return {"status": self.status, "last_beat": self.last_beat.isoformat() if self.last_beat else None,
                "age_seconds": self.age_seconds, "instances": self.instances, "message": self.message}  # fmt: skip


def heartbeat_status(session: Session, interval: float, *, now: datetime | None = None) -> HeartbeatStatus:
    """fresh / stale (newest beat older than two intervals) / never. `instances`: processes beating now."""
    now = now or utcnow()
    try:
        with session.begin_nested():  # a missing table must not abort the caller's transaction
            beats = [as_utc(b) for b in session.exec(select(SchedulerHeartbeat.beat_at)).all()]  # one per process
    except SQLAlchemyError:  # not migrated yet: no scheduler has run on this schema
        beats = []
    if not beats:
        return HeartbeatStatus("never", None, None, 0)
    last = max(beats)
    age = (now - last).total_seconds()
    alive = sum(1 for b in beats if (now - b).total_seconds() <= 2 * interval)
    return HeartbeatStatus("stale" if age > 2 * interval else "fresh", last, round(age, 1), alive)
