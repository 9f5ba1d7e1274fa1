"""The bot's own tables: token cache, inbound dedupe, binding codes, pending reasons, publish events.

`bot_access_token` and `bot_inbound` are platform-level rows (one WeCom app / official account may
serve several orgs later), so their `org_id` is nullable; the others belong to one org.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from content.models.base import UTCDateTime, created_at_field, dt_field, json_field, org_fk


class AccessToken(SQLModel, table=True):
    """access_token cache shared by every process (web workers, scheduler). Key: `wecom:<corp>:<agent>`
    or `mp:<appid>` — never the secret."""

    __tablename__ = "bot_access_token"

    key: str = Field(primary_key=True, max_length=200)
    token: str = Field(sa_type=Text)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = created_at_field()


class InboundMessage(SQLModel, table=True):
    """One row per accepted callback message; the unique key makes a platform retry a no-op that gets
    the stored reply again. Written in the same transaction as the decision the message caused."""

    __tablename__ = "bot_inbound"
    __table_args__ = (UniqueConstraint("channel", "dedupe_key", name="uq_bot_inbound_key"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    channel: str = Field(max_length=10)  # wecom | mp
    dedupe_key: str = Field(max_length=300)
    sender: str = Field(max_length=128, index=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    msg_type: str = Field(default="", max_length=40)
    reply: str = Field(default="", sa_type=Text)
    created_at: datetime = created_at_field()


class BindingCode(SQLModel, table=True):
    """A one-time code that binds a chat sender to a user. Only an HMAC of the code is stored."""

    __tablename__ = "bot_binding_code"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    user_id: int = Field(foreign_key="app_user.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = dt_field()
    used_by_sender: str | None = Field(default=None, max_length=128)
    created_at: datetime = created_at_field()


class PendingReason(SQLModel, table=True):
    """After a 驳回 tap on a card, the next text from that user is the rejection reason."""

    __tablename__ = "bot_pending_reason"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    user_id: int = Field(foreign_key="app_user.id", unique=True)
    item_id: int = Field(foreign_key="item.id")
    revision_id: int | None = Field(default=None, foreign_key="revision.id")
    channel: str = Field(max_length=10)
    response_code: str | None = Field(default=None, max_length=200)  # to update the card afterwards
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    created_at: datetime = created_at_field()


class PublishEvent(SQLModel, table=True):
    """PUBLISHJOBFINISH events received on /wechat/mp, for the scheduler to consume.

    The scheduler reads rows with `consumed_at IS NULL`, applies them to its Publication rows and sets
    `consumed_at` (compare-and-set on that column). `publish_status`: 0 success, 1 publishing, 2–6 failed.
    """

    __tablename__ = "bot_publish_event"
    __table_args__ = (UniqueConstraint("app_id", "publish_id", name="uq_bot_publish_event"),)

    id: int | None = Field(default=None, primary_key=True)
    app_id: str = Field(default="", max_length=128)  # the official account's original id (ToUserName)
    publish_id: str = Field(max_length=64, index=True)
    publish_status: int
    article_id: str | None = Field(default=None, max_length=200)
    article_urls: list = json_field(list)
    fail_idx: list = json_field(list)
    raw: dict = json_field(dict)
    received_at: datetime = created_at_field()
    consumed_at: datetime | None = dt_field(index=True)
