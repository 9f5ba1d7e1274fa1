"""账号: a user changes their own password; 用户账号 (admin): reset a password, unlock, deactivate, reactivate.

Credential rules live in content.credentials; this module is forms and pages only. A temporary
password from a reset is shown once: the POST redirects (so F5 cannot reset again) and the GET
shows it from a one-time, session-bound, encrypted cookie (web.pages.once_result), never from a
URL or the database, with caching forbidden.
"""

from __future__ import annotations

import hashlib
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlmodel import select

from content import accounts, auth_sessions, credentials, login_throttle
from content.errors import DomainError, NotFound
from content.models import ROLE_LABELS, Department, User
from web.deps import SessionDep
from web.pages import once_result
from web.pages.session import (
    PASSWORD_PAGE,
    AdminUserDep,
    WebSession,
    WebUserDep,
    read_form,
    read_session,
    safe_next,
    start_user_session,
)
from web.pages.templating import render

router = APIRouter()
ACTIONS = {"reset", "unlock", "deactivate", "activate"}
USERS_PAGE = "/users"
RESET_SHOWN = "密码已重置。临时密码只显示一次，现已不再显示；如未记下，请再次重置。"
DONE = {"unlock": "已解锁，该账号可以立即登录。", "deactivate": "已停用：该账号的所有登录和令牌已失效。",
        "activate": "已重新启用。"}


@router.get(PASSWORD_PAGE, name="web_account_password")
def password_page(request: Request, user: WebUserDep, next: str = "/", done: str = ""):
    return render(request, "account.html", {"next": safe_next(next), "errors": {}, "error": None,
                                            "done": bool(done), "forced": user.must_change_password})


@router.post(PASSWORD_PAGE)
async def password_submit(request: Request, session: SessionDep, user: WebUserDep):
    form = await read_form(request)
    old, new, again = (str(form.get(k) or "") for k in ("old_password", "new_password", "new_password2"))
    next_path = safe_next(str(form.get("next") or "/"))
    errors: dict[str, str] = {}
    if not old:
        errors["old_password"] = "请输入当前密码"
    if not new:
        errors["new_password"] = "请输入新密码"
    elif new != again:
        errors["new_password2"] = "两次输入的新密码不一致"
    ctx = {"next": next_path, "errors": errors, "error": None, "done": False, "forced": user.must_change_password}
    if errors:
        return render(request, "account.html", ctx, status=422)
    try:
        credentials.change_password(session, user=user, old_password=old, new_password=new)
    except DomainError as exc:
        session.rollback()
        field = "old_password" if exc.code == "wrong_password" else "new_password"
        ctx["errors"] = {field: exc.message}
        return render(request, "account.html", ctx, status=exc.status)
    # Every session of this user ended with the change; this browser gets a new one.
    target = next_path if ctx["forced"] and next_path != "/" else f"{PASSWORD_PAGE}?done=1"
    response = RedirectResponse(target, status_code=303)
    start_user_session(request, response, user, session)
    session.commit()
    return response


def _rows(session, admin: User) -> list[dict]:
    users = session.exec(select(User).where(User.org_id == admin.org_id).order_by(User.id)).all()
    depts = {d.id: d.name for d in session.exec(select(Department).where(Department.org_id == admin.org_id))}
    return [{
        "user": u, "department": depts.get(u.department_id, ""),
        "roles": "、".join(ROLE_LABELS.get(r, r) for r in sorted(accounts.roles_of(session, u.id))),  # type: ignore[call-overload]
        "locked": login_throttle.is_locked(session, login=u.login), "me": u.id == admin.id,
    } for u in users]  # fmt: skip


def _users_page(request: Request, session, admin: User, *, done: str = "", error: str = "", status: int = 200,
                temporary: tuple[User, str] | None = None):
    response = render(request, "users.html", {"rows": _rows(session, admin), "done": done, "error": error,
                                              "temporary": temporary}, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _stamp(user: User) -> str:
    """Which password a reset result belongs to: once the user changes it, the result shows nothing."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _temporary(request: Request, session, admin: User) -> tuple[User, str] | None:
    """The temporary password of the reset this browser session just made, if it is still in force."""
    data = once_result.take(request, kind="reset")
    if data is None:
        return None
    user_id = data.get("user_id")
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.org_id != admin.org_id or data.get("stamp") != _stamp(user):
        return None
    return user, str(data.get("password") or "")


@router.get("/users", name="web_users")
def users_page(request: Request, session: SessionDep, admin: AdminUserDep, done: str = ""):
    temporary = _temporary(request, session, admin) if done == "reset" else None
    if temporary:
        _renew_session(request, session, admin)
    note = DONE.get(done, "") if done != "reset" or temporary else RESET_SHOWN
    response = _users_page(request, session, admin, done=note, temporary=temporary)
    once_result.clear(request, response, path=USERS_PAGE)
    session.commit()
    return response


def _renew_session(request: Request, session, admin: User) -> None:
    """Showing a temporary password ends the session that shows it and opens a new one (new cookie and
    CSRF token, written by `render`): a copy of the old cookies, result cookie included, shows nothing."""
    old = read_session(request)
    if old.key:
        auth_sessions.revoke_key(session, old.key)
    key = auth_sessions.open_session(session, user=admin, kind=auth_sessions.WEB)
    request.state.web_session = WebSession(key=key, csrf=secrets.token_urlsafe(24), fresh=True)


@router.post("/users/{user_id}/{action}")
async def user_action(request: Request, user_id: int, action: str, session: SessionDep, admin: AdminUserDep):
    form = await read_form(request)
    if action not in ACTIONS:
        raise NotFound("not_found", "未知的操作")
    user = session.get(User, user_id)
    if user is None or user.org_id != admin.org_id:
        raise NotFound("user_not_found", "用户不存在")
    try:
        if action == "reset":
            given = str(form.get("password") or "")
            password = credentials.reset_password(session, user=user, actor=admin, new_password=given or None)
            session.commit()
            # POST-redirect-GET: the password rides in a one-time cookie of this session, never in the URL.
            response = RedirectResponse(f"{USERS_PAGE}?done=reset", status_code=303)
            once_result.put(request, response, kind="reset", path=USERS_PAGE,
                            data={"user_id": user.id, "password": password, "stamp": _stamp(user)})
            return response
        getattr(credentials, action)(session, user=user, actor=admin)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _users_page(request, session, admin, error=f"{user.name}（{user.login}）：{exc.message}",
                           status=exc.status)
    return RedirectResponse(f"/users?done={action}", status_code=303)
