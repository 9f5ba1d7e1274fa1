"""Append-only audit log. Database triggers refuse UPDATE and DELETE on it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from content.models.base import created_at_field, json_field, org_fk


class AuditEvent(SQLModel, table=True):
    __table_args__ = (Index("ix_audit_target", "target_type", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    at: datetime = created_at_field()
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    actor_label: str = Field(default="", max_length=100)  # "system", "scheduler", a bot channel…
    action: str = Field(max_length=64, index=True)  # dotted: item.submit, review.approve, …
    target_type: str = Field(max_length=32)
    target_id: int | None = None
    data: dict = json_field(dict)
