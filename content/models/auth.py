"""Server-side sessions (web cookies and API tokens) and failed-login records.

A session row is what makes a cookie or a bearer token valid: logout revokes one row, a
password change, an admin reset or a deactivation revokes every row of the user. Only the
SHA-256 of the random key is stored, so a copy of the database holds no usable credential.
Validity is `revoked_at IS NULL AND now < expires_at`, decided by the server's clock against
the row, so a backward clock step never ends a session.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from content.models.base import UTCDateTime, created_at_field, dt_field, org_fk


class AuthSession(SQLModel, table=True):
    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    org_id: int = org_fk()
    kind: str = Field(max_length=10)  # "web" (cookie) or "api" (bearer token)
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    revoked_at: datetime | None = dt_field()


class LoginFailure(SQLModel, table=True):
    """One wrong login (unknown login or wrong password alike), by lower-cased login and client address."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_login_address", "login", "address", "created_at"),
        Index("ix_login_failure_address", "address", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64)
    address: str = Field(max_length=64)
    created_at: datetime = created_at_field()
