"""Notifications to people, written in the same transaction as the change that causes them.

`content` only records them; the bot delivers them (WeCom card, official-account template message)
and marks them sent. This keeps `content` free of any WeChat dependency and loses nothing on a crash.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from content.models.base import created_at_field, dt_field, json_field, org_fk


class Notification(SQLModel, table=True):
    __table_args__ = (Index("ix_notification_state", "state", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    user_id: int = Field(foreign_key="app_user.id", index=True)
    kind: str = Field(max_length=40)  # review.pending, item.approved, item.rejected, item.published, …
    item_id: int | None = Field(default=None, foreign_key="item.id")
    step_id: int | None = Field(default=None, foreign_key="reviewstep.id")
    data: dict = json_field(dict)
    state: str = Field(default="pending", max_length=20)  # pending | sending | sent | failed | skipped
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime = created_at_field()
    sent_at: datetime | None = dt_field()
    claimed_until: datetime | None = dt_field()  # lease of a `sending` row (bot/notify.py)
    progress: dict | None = Field(default=None, sa_type=JSON)  # per-step delivery answers (msgid)
