"""Tables of the extra channels: group robots, their send log, and bulletin-board notices."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from content.models.base import UTCDateTime, created_at_field, dt_field, org_fk


class RobotStatus(StrEnum):
    ok = "ok"
    invalid = "invalid"  # WeCom answered 93000 (key revoked / robot removed from the group)


class RobotGroup(SQLModel, table=True):
    """One WeCom group robot webhook (群机器人), e.g. one per village grid group (网格群)."""

    __tablename__ = "robot_group"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    name: str = Field(max_length=100)
    # The full webhook URL holds the key, a secret: never log it, show it masked.
    webhook_url: str = Field(max_length=500)
    msg_type: str = Field(default="news", max_length=10)  # news | markdown
    active: bool = True  # False = deleted by the admin (rows stay for history and tallies)
    status: str = Field(default=RobotStatus.ok, max_length=10)
    last_error: str | None = Field(default=None, sa_type=Text)
    last_error_at: datetime | None = dt_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class RobotSend(SQLModel, table=True):
    """Every message sent to a robot: the rate-limit window (20 a minute) is counted from here."""

    __tablename__ = "robot_send"
    __table_args__ = (Index("ix_robot_send_window", "robot_id", "sent_at"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    robot_id: int = Field(foreign_key="robot_group.id")
    publication_id: int | None = Field(default=None, foreign_key="publication.id")
    sent_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class NoticeState(StrEnum):
    to_post = "to_post"  # printed notice waiting to be put up
    posted = "posted"
    to_take_down = "to_take_down"  # the item was withdrawn while the notice hangs on a board
    taken_down = "taken_down"
    cancelled = "cancelled"  # withdrawn before anyone posted it


NOTICE_STATE_LABELS = {
    "to_post": "待张贴", "posted": "已张贴", "to_take_down": "待撤下", "taken_down": "已撤下",
    "cancelled": "已取消",
}  # fmt: skip


class BoardNotice(SQLModel, table=True):
    """A printed notice for a bulletin board (公开栏): who posted it where and when, and when it came down."""

    __tablename__ = "board_notice"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    item_id: int = Field(foreign_key="item.id", index=True)
    publication_id: int = Field(foreign_key="publication.id", unique=True)
    revision_id: int = Field(foreign_key="revision.id")
    title: str = Field(max_length=200)
    link_url: str = Field(max_length=500)  # what the QR code encodes
    issued_on: datetime = Field(sa_type=UTCDateTime, nullable=False)
    state: str = Field(default=NoticeState.to_post, max_length=20, index=True)
    pages: int = 1
    location: str | None = Field(default=None, max_length=200)
    posted_by: int | None = Field(default=None, foreign_key="app_user.id")
    posted_at: datetime | None = dt_field()
    taken_down_by: int | None = Field(default=None, foreign_key="app_user.id")
    taken_down_at: datetime | None = dt_field()
    note: str | None = Field(default=None, max_length=500)
    created_at: datetime = created_at_field()
