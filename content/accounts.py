"""Organizations, departments, users, roles, oversight and deputies."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from content import audit
from content.errors import Conflict, Invalid, NotFound
from content.models import Department, Deputy, Organization, Oversight, Role, User, UserRole
from content.models.ids import pk
from content.timeutil import utcnow

# GONGKAI_ARGON2_PROFILE=test selects a cheap profile so the test suite does not spend
# minutes hashing fixture passwords; production always uses argon2-cffi's defaults.
_hasher = (
    PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    if os.environ.get("GONGKAI_ARGON2_PROFILE") == "test"
    else PasswordHasher()
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def get_org(session: Session, *, code: str | None = None) -> Organization:
    """The org by code, or the first one (single-org installs)."""
    query = select(Organization).order_by(col(Organization.id))
    if code:
        query = query.where(Organization.code == code)
    org = session.exec(query).first()
    if org is None:
        raise NotFound("org_not_found", "机构不存在，请先运行 gongkai init")
    return org


def create_department(session: Session, *, org_id: int, name: str, actor: User | None = None) -> Department:
    name = name.strip()
    if not name:
        raise Invalid("department_name_required", "部门名称不能为空")
    if session.exec(select(Department).where(Department.org_id == org_id, Department.name == name)).first():
        raise Conflict("department_exists", f"部门“{name}”已存在")
    dept = Department(org_id=org_id, name=name)
    session.add(dept)
    session.flush()
    audit.record(session, org_id=org_id, action="department.create", target_type="department",
                 target_id=dept.id, actor=actor, name=name)
    return dept


def department_by_name(session: Session, *, org_id: int, name: str) -> Department:
    dept = session.exec(select(Department).where(Department.org_id == org_id, Department.name == name)).first()
    if dept is None:
        raise NotFound("department_not_found", f"部门“{name}”不存在")
    return dept


def parse_roles(roles: Sequence[str] | str) -> list[Role]:
    if isinstance(roles, str):
        roles = [r for r in roles.replace("，", ",").split(",") if r.strip()]
    out = []
    for r in roles:
        try:
            out.append(Role(r.strip()))
        except ValueError:
            valid = "、".join(x.value for x in Role)
            raise Invalid("unknown_role", f"未知角色“{r}”，可选：{valid}") from None
    return out


def create_user(
    session: Session,
    *,
    org_id: int,
    login: str,
    name: str,
    password: str,
    roles: Sequence[str] | str,
    department: str | None = None,
    oversees: list[str] | None = None,
    actor: User | None = None,
) -> User:
    login = login.strip()
    if not login or not name.strip():
        raise Invalid("user_fields_required", "登录名和姓名不能为空")
    if len(password) < 8:
        raise Invalid("password_too_short", "密码至少 8 位")
    if session.exec(select(User).where(User.login == login)).first():
        raise Conflict("login_taken", f"登录名“{login}”已被使用")
    role_list = parse_roles(roles)
    dept = department_by_name(session, org_id=org_id, name=department) if department else None
    if dept is None and ({Role.drafter, Role.dept_head} & set(role_list)):
        raise Invalid("department_required", "拟稿人和部门负责人必须指定所属部门（--department）")
    user = User(org_id=org_id, login=login, name=name.strip(), password_hash=hash_password(password),
                department_id=dept.id if dept else None)
    session.add(user)
    session.flush()
    set_roles(session, user=user, roles=role_list, oversees=oversees, actor=actor, audit_it=False)
    audit.record(session, org_id=org_id, action="user.create", target_type="user", target_id=user.id,
                 actor=actor, login=login, roles=[r.value for r in role_list])
    return user


def set_roles(
    session: Session,
    *,
    user: User,
    roles: Sequence[str] | str,
    oversees: list[str] | None = None,
    actor: User | None = None,
    audit_it: bool = True,
) -> None:
    """Replace a user's roles (and, when given, the departments a leader oversees)."""
    role_list = parse_roles(roles)
    if user.department_id is None and ({Role.drafter, Role.dept_head} & set(role_list)):
        raise Invalid("department_required", "拟稿人和部门负责人必须先指定所属部门")
    for row in session.exec(select(UserRole).where(UserRole.user_id == user.id)).all():
        session.delete(row)
    session.flush()
    for role in dict.fromkeys(role_list):
        session.add(UserRole(user_id=pk(user), role=role.value, org_id=user.org_id))
    if oversees is not None:
        for oversight in session.exec(select(Oversight).where(Oversight.user_id == user.id)).all():
            session.delete(oversight)
        session.flush()
        for dept_name in oversees:
            dept = department_by_name(session, org_id=user.org_id, name=dept_name.strip())
            session.add(Oversight(user_id=pk(user), department_id=pk(dept), org_id=user.org_id))
    session.flush()
    if audit_it:
        audit.record(session, org_id=user.org_id, action="user.roles", target_type="user", target_id=user.id,
                     actor=actor, roles=[r.value for r in role_list], oversees=oversees)


def roles_of(session: Session, user_id: int) -> set[str]:
    return set(session.exec(select(UserRole.role).where(UserRole.user_id == user_id)).all())


def overseen_department_ids(session: Session, user_id: int) -> set[int]:
    return set(session.exec(select(Oversight.department_id).where(Oversight.user_id == user_id)).all())


def get_user(session: Session, *, user_id: int | None = None, login: str | None = None) -> User:
    if user_id is not None:
        user = session.get(User, user_id)
    else:
        user = session.exec(select(User).where(User.login == login)).first()
    if user is None:
        raise NotFound("user_not_found", "用户不存在")
    return user


def name_deputy(
    session: Session, *, user: User, deputy: User, starts_at: datetime, ends_at: datetime,
    actor: User | None = None,
) -> Deputy:
    if ends_at <= starts_at:
        raise Invalid("deputy_period_invalid", "代理期限的结束时间必须晚于开始时间")
    if deputy.id == user.id or deputy.org_id != user.org_id:
        raise Invalid("deputy_invalid", "不能指定本人或其他机构人员为代理人")
    row = Deputy(org_id=user.org_id, user_id=pk(user), deputy_id=pk(deputy), starts_at=starts_at, ends_at=ends_at)
    session.add(row)
    session.flush()
    audit.record(session, org_id=user.org_id, action="user.deputy", target_type="user", target_id=user.id,
                 actor=actor, deputy_id=deputy.id, starts_at=starts_at.isoformat(), ends_at=ends_at.isoformat())
    return row


def principals_represented(session: Session, deputy_id: int, at: datetime | None = None) -> set[int]:
    """Users for whom `deputy_id` is acting at time `at`."""
    at = at or utcnow()
    rows = session.exec(
        select(Deputy.user_id).where(Deputy.deputy_id == deputy_id, Deputy.starts_at <= at, Deputy.ends_at > at)
    ).all()
    return set(rows)
