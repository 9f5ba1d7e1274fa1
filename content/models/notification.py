"""Notifications to people, written in the same transaction as the change that causes them.

`content` only records them; the bot delivers them (WeCom card, official-account template message)
and marks them sent. This keeps `content` free of any WeChat dependency and loses nothing on a crash.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from content.models.base import created_at_field, dt_field, json_field, org_fk


class NotificationKind(StrEnum):
    """Every kind of notification: its stored code, its Chinese text and the data keys the text needs.

    `{label}` (the item as #id《title》, or the title alone) and `{id}` are filled from the row itself;
    every other placeholder must be one of `needs`, and `content.notify` refuses a row without them.
    """

    text: str
    needs: tuple[str, ...]

    def __new__(cls, value: str, text: str, needs: tuple[str, ...] = ()) -> NotificationKind:
        member = str.__new__(cls, value)
        member._value_ = value
        member.text = text
        member.needs = needs
        return member

    REVIEW_PENDING = "review.pending", "待您审核：{label}（{gate}）。回复“查看 {id}”看详情。", ("gate",)
    REVIEW_REMINDER = ("review.reminder", "提醒：{label} 待您审核已超过 {hours} 小时（第 {reminders} 次提醒）。",
                       ("gate", "hours", "reminders"))
    REVIEW_ESCALATED = ("review.escalated",
                        "督办：{label} 在{gate}环节已超过 {hours} 小时未处理（已提醒 {reminders} 次），待审人：{who}。",
                        ("gate", "hours", "reminders", "who"))
    ITEM_STEP_APPROVED = "item.step_approved", "您的稿件 {label} 已通过{gate}（{by}）。", ("gate", "by")
    ITEM_REJECTED = ("item.rejected", "您的稿件 {label} 被{by}驳回（第 {rejection_count} 次），理由：{reason}",
                     ("gate", "by", "reason", "rejection_count"))
    ITEM_APPROVED = "item.approved", "您的稿件 {label} 已全部审核通过，将按计划发布。"
    ITEM_VOIDED = "item.voided", "您的稿件 {label} 审核已重新开始：{reason}", ("reason",)
    ITEM_PUBLISHED = "item.published", "您的稿件 {label} 已发布。"
    PUBLICATION_FAILED = "publication.failed", "您的稿件 {label} 发布到{channel}失败：{reason}", ("channel", "reason")
    CHANNEL_ROBOT_INVALID = ("channel.robot_invalid", "发布渠道需要处理：{reason}。", ("robot_name", "reason"))
    APPLICATION_DEADLINE = "application.deadline", "{message}", ("message",)  # annual/jobs.py
    REPORT_DRAFT = "report.draft", "{message}", ("message",)  # annual/jobs.py


_BY_VALUE: dict[str, NotificationKind] = {kind.value: kind for kind in NotificationKind}


def notification_kind(value: str) -> NotificationKind:
    """The member stored as `value`; ValueError for a code no kind has."""
    try:
        return _BY_VALUE[value]
    except KeyError:
        raise ValueError(f"unknown notification kind {value!r}") from None


class Notification(SQLModel, table=True):
    __table_args__ = (Index("ix_notification_state", "state", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    user_id: int = Field(foreign_key="app_user.id", index=True)
    kind: str = Field(max_length=40)  # a NotificationKind value
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
