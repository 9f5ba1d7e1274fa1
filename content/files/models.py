"""`StoredFile`: one row per file of an org, named by the SHA-256 of its bytes (the bytes live in the file store)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from content.models.base import created_at_field, org_fk


class StoredFile(SQLModel, table=True):
    """Metadata of one stored file. The same bytes uploaded twice by one org are one row and one object."""

    __tablename__ = "stored_file"
    __table_args__ = (UniqueConstraint("org_id", "sha256", name="uq_stored_file_org_sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    sha256: str = Field(max_length=64, index=True)
    size: int
    mime_type: str = Field(max_length=100)
    original_name: str = Field(default="", max_length=200)
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = created_at_field()
