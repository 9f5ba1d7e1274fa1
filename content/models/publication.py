"""The publishing outbox: one row per (item, channel, target), and the installation's id.

Idempotency keys sent to the channels are `gk-{installation uid}-{publication uid}`: both parts are
random and kept in the database, so they stay unique across installations sharing one portal and
after a restore of an older backup (which makes item and review ids be used again).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from content.models.base import UTCDateTime, created_at_field, dt_field, json_field, org_fk


def new_uid() -> str:
    """A random id (32 hex digits) for a publication or an installation."""
    return uuid.uuid4().hex


class PublicationState(StrEnum):
    pending = "pending"
    claimed = "claimed"
    sent = "sent"
    confirmed = "confirmed"
    failed = "failed"
    withdraw_pending = "withdraw_pending"  # 撤稿 requested; the scheduler deletes it remotely
    withdrawn = "withdrawn"
    unknown = "unknown"
    cancelled = "cancelled"  # voided before sending (edit or hash mismatch)


PUBLICATION_STATE_LABELS = {
    "pending": "待发送", "claimed": "发送中", "sent": "已发送", "confirmed": "已确认", "failed": "失败",
    "withdraw_pending": "撤回中", "withdrawn": "已撤回", "unknown": "状态未知", "cancelled": "已取消",
}  # fmt: skip


class Publication(SQLModel, table=True):
    __table_args__ = (Index("ix_publication_due", "state", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    item_id: int = Field(foreign_key="item.id", index=True)
    revision_id: int = Field(foreign_key="revision.id")
    content_hash: str = Field(max_length=64)  # the approved hash, re-checked at publish time
    channel: str = Field(max_length=20)
    target: str = Field(default="", max_length=100)  # e.g. a group robot id for multi-target channels
    state: str = Field(default=PublicationState.pending, max_length=20)
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    next_attempt_at: datetime | None = dt_field()
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    remote_id: str | None = Field(default=None, max_length=200)
    remote_url: str | None = Field(default=None, max_length=500)
    progress: dict = json_field(dict)  # per-step results (uploaded media, draft id, publish id)
    uid: str = Field(default_factory=new_uid, max_length=32, unique=True)  # made with the row
    idempotency_key: str = Field(max_length=100, unique=True)
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_until: datetime | None = dt_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    sent_at: datetime | None = dt_field()
    confirmed_at: datetime | None = dt_field()


class Installation(SQLModel, table=True):
    """The one row naming this database's installation (made by migration 0014 / `gongkai init`).

    A restore brings the row back with the data, so the id survives it; a fresh database gets a new one.
    """

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, max_length=32, unique=True)
    created_at: datetime = created_at_field()
