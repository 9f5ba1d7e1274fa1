"""The editable word lists used by pre-submit checks."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from content.models.base import org_fk


class WordRule(SQLModel, table=True):
    """A sensitive word (blocks or warns, can flag the item sensitive) or a 规范表述 correction."""

    __table_args__ = (UniqueConstraint("org_id", "word"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    word: str = Field(max_length=100)
    kind: str = Field(default="sensitive", max_length=20)  # sensitive | wording
    severity: str = Field(default="warning", max_length=10)  # error | warning
    suggestion: str | None = Field(default=None, max_length=200)  # the 规范表述 to use instead
    flags_sensitive: bool = False
