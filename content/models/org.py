"""Organizations, departments, users, roles, oversight and deputies."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from content.models.base import UTCDateTime, created_at_field, dt_field, org_fk


class Role(StrEnum):
    drafter = "drafter"
    dept_head = "dept_head"
    leader = "leader"
    principal = "principal"
    admin = "admin"


ROLE_LABELS = {
    Role.drafter: "拟稿人",
    Role.dept_head: "供稿部门负责人",
    Role.leader: "分管领导",
    Role.principal: "镇主要领导",
    Role.admin: "政务公开专员",
}


class Organization(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    created_at: datetime = created_at_field()


class Department(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    name: str = Field(max_length=100)
    active: bool = True


class User(SQLModel, table=True):
    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    login: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=100)
    password_hash: str = Field(max_length=255)
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    wecom_userid: str | None = Field(default=None, max_length=128, unique=True)
    mp_openid: str | None = Field(default=None, max_length=128, unique=True)
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = dt_field()
    must_change_password: bool = False  # set by an admin reset; the next login must choose a new one
    created_at: datetime = created_at_field()


class UserRole(SQLModel, table=True):
    """A user may hold several roles."""

    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    role: str = Field(max_length=20, primary_key=True)
    org_id: int = org_fk()


class Oversight(SQLModel, table=True):
    """A leader (分管领导) oversees these departments."""

    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    department_id: int = Field(foreign_key="department.id", primary_key=True)
    org_id: int = org_fk()


class Deputy(SQLModel, table=True):
    """`deputy_id` acts for `user_id` (all their gates and scope) from `starts_at` until `ends_at`."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    user_id: int = Field(foreign_key="app_user.id", index=True)
    deputy_id: int = Field(foreign_key="app_user.id", index=True)
    starts_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ends_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    created_at: datetime = created_at_field()
