"""The scheduler's own table: one heartbeat row per scheduler process.

The heartbeat is per process, not per organization: one scheduler serves every org of the
installation, so this table deliberately carries no `org_id`.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from content.models.base import UTCDateTime, created_at_field


class SchedulerHeartbeat(SQLModel, table=True):
    __tablename__ = "scheduler_heartbeat"

    id: int | None = Field(default=None, primary_key=True)
    instance: str = Field(max_length=100, unique=True)  # host:pid:random — the lease owner name
    interval_seconds: float = 5.0
    started_at: datetime = created_at_field()
    beat_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    info: str = Field(default="", max_length=500)
