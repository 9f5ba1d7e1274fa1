"""Items (posts) and their immutable revisions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from content.labels import CHANNEL_LABELS as _CHANNEL_LABELS
from content.models.base import created_at_field, dt_field, json_field, org_fk
from content.models.item_channel import ChannelKind


class ItemState(StrEnum):
    draft = "draft"
    in_review = "in_review"
    approved = "approved"
    scheduled = "scheduled"
    published = "published"
    rejected = "rejected"
    withdrawn = "withdrawn"
    archived = "archived"


STATE_LABELS = {
    "draft": "草稿",
    "in_review": "审核中",
    "approved": "已通过",
    "scheduled": "待发布",
    "published": "已发布",
    "rejected": "已驳回",
    "withdrawn": "已撤稿",
    "archived": "已归档",
}


Channel = ChannelKind  # the publishing channel kinds (content.models.item_channel)


CHANNEL_LABELS = _CHANNEL_LABELS  # re-exported: the one table is content.labels


class Origin(StrEnum):
    original = "original"
    repost = "repost"


class DisclosureType(StrEnum):
    proactive = "proactive"  # 主动公开
    on_application = "on_application"  # 依申请公开


# The fields a revision snapshots and an approval signs (via the content hash).
PUBLISHABLE_FIELDS = (
    "title", "digest", "author", "body_html", "cover_image", "attachments", "topic_id", "area_id",
    "channels", "origin", "source_url", "disclosure_type", "publish_at", "has_full_text",
)  # fmt: skip


class Item(SQLModel, table=True):
    """A post. The columns below are the working copy; `Revision` rows are its history."""

    __table_args__ = (Index("ix_item_org_state", "org_id", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    department_id: int = Field(foreign_key="department.id", index=True)
    drafter_id: int = Field(foreign_key="app_user.id", index=True)

    title: str = Field(max_length=200)
    digest: str = Field(default="", max_length=500)
    author: str = Field(default="", max_length=100)
    body_html: str = Field(default="", sa_type=Text)
    cover_image: str | None = Field(default=None, sa_type=Text)  # a URL or a data: URI (migration 0010)
    attachments: list = json_field(list)
    topic_id: int | None = Field(default=None, foreign_key="category.id", index=True)
    area_id: int | None = Field(default=None, foreign_key="category.id", index=True)
    # The chosen channels as entry strings (`portal`, `wecom_group:3`), parsed only by ChannelTarget; every
    # change is mirrored in the same flush into the `item_channel` rows that queries join (item_channel.py).
    channels: list = json_field(list)
    origin: str = Field(default=Origin.original, max_length=10)
    source_url: str | None = Field(default=None, max_length=500)
    disclosure_type: str = Field(default=DisclosureType.proactive, max_length=20)
    has_full_text: bool = True
    publish_at: datetime | None = dt_field()

    state: str = Field(default=ItemState.draft, max_length=20)
    gate: str | None = Field(default=None, max_length=20)
    sensitive: bool = False
    emergency: bool = False
    review_incomplete: bool = False  # 未完成审核: emergency-published before every gate approved
    rejection_count: int = 0
    last_rejection_reason: str | None = Field(default=None, sa_type=Text)
    check_warnings: list = json_field(list)
    current_revision_id: int | None = None  # no FK: revision already points at item
    approved_revision_id: int | None = None
    version: int = 1  # bumped by every state change; guards races

    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    submitted_at: datetime | None = dt_field()
    approved_at: datetime | None = dt_field()
    published_at: datetime | None = dt_field(index=True)
    imported: bool = False  # historical items brought in by `gongkai import`


class Revision(SQLModel, table=True):
    """Immutable snapshot of the publishable fields. Nothing updates a revision."""

    __table_args__ = (UniqueConstraint("item_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    item_id: int = Field(foreign_key="item.id", index=True)
    number: int
    created_by: int = Field(foreign_key="app_user.id")
    created_at: datetime = created_at_field()
    content: dict = json_field(dict)
    content_hash: str = Field(max_length=64, index=True)
