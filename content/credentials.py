"""A user's credentials and standing: change or reset a password, unlock, deactivate, reactivate.

Every change ends the user's sessions and API tokens where it must (content.auth_sessions),
writes its audit event in the caller's transaction, and never records a password anywhere.
Users are never deleted: a deactivated account keeps its history and can be reactivated.
"""

from __future__ import annotations

import secrets

from sqlmodel import Session, col, select

from content import audit, auth_sessions, login_throttle
from content.accounts import hash_password, verify_password
from content.errors import Conflict, Invalid
from content.models import User, UserRole
from content.models.ids import pk

MIN_LENGTH = 8
MAX_LENGTH = 256


def check_new_password(user: User, new_password: str) -> None:
    if len(new_password) < MIN_LENGTH:
        raise Invalid("password_too_short", f"新密码至少 {MIN_LENGTH} 位")
    if len(new_password) > MAX_LENGTH:
        raise Invalid("password_too_long", f"新密码最多 {MAX_LENGTH} 位")
    if new_password.strip().lower() == user.login.strip().lower():
        raise Invalid("password_is_login", "新密码不能与登录名相同")


def change_password(session: Session, *, user: User, old_password: str, new_password: str) -> None:
    """The user's own change. Ends every session and token of the user (the caller opens a new one)."""
    if not verify_password(user.password_hash, old_password):
        raise Invalid("wrong_password", "当前密码不正确")
    check_new_password(user, new_password)
    if verify_password(user.password_hash, new_password):
        raise Invalid("password_unchanged", "新密码不能与当前密码相同")
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    session.add(user)
    ended = auth_sessions.revoke_all(session, user_id=pk(user))
    audit.record(session, org_id=user.org_id, action="user.password_change", target_type="user",
                 target_id=user.id, actor=user, sessions_ended=ended)


def temporary_password() -> str:
    return secrets.token_urlsafe(9)  # 12 characters, shown once


def reset_password(session: Session, *, user: User, actor: User | None, new_password: str | None = None) -> str:
    """Admin reset: a temporary password (given or generated), changed at the next login.

    Returns the temporary password so the caller can show it once. Ends every session and token
    and clears any lock-out of the login.
    """
    password = new_password if new_password else temporary_password()
    check_new_password(user, password)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    ended = auth_sessions.revoke_all(session, user_id=pk(user))
    login_throttle.clear(session, login=user.login)
    audit.record(session, org_id=user.org_id, action="user.reset", target_type="user", target_id=user.id,
                 actor=actor, generated=not new_password, sessions_ended=ended)
    return password


def unlock(session: Session, *, user: User, actor: User | None) -> None:
    """Forget every failed login of this account (all addresses), so its owner can log in at once."""
    login_throttle.clear(session, login=user.login)
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    audit.record(session, org_id=user.org_id, action="user.unlock", target_type="user", target_id=user.id,
                 actor=actor)


def _other_active_admins(session: Session, user: User) -> int:
    rows = session.exec(
        select(col(User.id)).join(UserRole, col(UserRole.user_id) == col(User.id))
        .where(User.org_id == user.org_id, UserRole.role == "admin", col(User.active).is_(True), User.id != user.id)
    ).all()
    return len(rows)


def deactivate(session: Session, *, user: User, actor: User | None) -> None:
    """Stop an account: no login, every session and token ended, chat commands refused."""
    if actor is not None and actor.id == user.id:
        raise Conflict("cannot_deactivate_self", "不能停用自己的账号")
    if not user.active:
        raise Conflict("already_inactive", f"账号“{user.login}”已是停用状态")
    roles = set(session.exec(select(UserRole.role).where(UserRole.user_id == user.id)).all())
    if "admin" in roles and _other_active_admins(session, user) == 0:
        raise Conflict("last_admin", "这是最后一个启用的管理员账号，不能停用")
    user.active = False
    session.add(user)
    ended = auth_sessions.revoke_all(session, user_id=pk(user))
    audit.record(session, org_id=user.org_id, action="user.deactivate", target_type="user", target_id=user.id,
                 actor=actor, sessions_ended=ended)


def activate(session: Session, *, user: User, actor: User | None) -> None:
    if user.active:
        raise Conflict("already_active", f"账号“{user.login}”已是启用状态")
    user.active = True
    session.add(user)
    audit.record(session, org_id=user.org_id, action="user.activate", target_type="user", target_id=user.id,
                 actor=actor)
