"""Wagtail-like workflow data: one Review per submission, one ReviewStep per gate."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from content.models.base import created_at_field, dt_field, json_field, org_fk


class Gate(StrEnum):
    dept_head = "dept_head"
    leader = "leader"
    principal = "principal"


GATE_LABELS = {"dept_head": "供稿部门负责人审核", "leader": "分管领导审核", "principal": "主要领导审核"}


class ReviewState(StrEnum):
    in_progress = "in_progress"
    approved = "approved"
    rejected = "rejected"
    voided = "voided"  # an edit or a hash mismatch restarted the chain
    recalled = "recalled"


class Decision(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    skipped = "skipped"  # emergency publication skipped this gate (to be approved after the fact)
    voided = "voided"


class Review(SQLModel, table=True):
    __table_args__ = (
        # At most one active review per item (partial unique index, as in Wagtail).
        Index(
            "uq_review_one_active",
            "item_id",
            unique=True,
            sqlite_where=text("state = 'in_progress'"),
            postgresql_where=text("state = 'in_progress'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    item_id: int = Field(foreign_key="item.id", index=True)
    revision_id: int = Field(foreign_key="revision.id")
    state: str = Field(default=ReviewState.in_progress, max_length=20)
    started_by: int = Field(foreign_key="app_user.id")
    started_at: datetime = created_at_field()
    finished_at: datetime | None = dt_field()


class ReviewStep(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("review_id", "gate"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    review_id: int = Field(foreign_key="review.id", index=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    gate: str = Field(max_length=20)
    assignee_ids: list = json_field(list)  # who could decide when the step opened
    decision: str = Field(default=Decision.pending, max_length=20)
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = dt_field()
    comment: str | None = Field(default=None, sa_type=Text)
    channel: str | None = Field(default=None, max_length=10)  # web | api | wecom | mp | cli
    content_hash: str | None = Field(default=None, max_length=64)
    opened_at: datetime | None = dt_field()
    after_the_fact: bool = False
    reminded_at: datetime | None = dt_field()
    reminders: int = 0
