"""Cookie sessions and CSRF tokens for the staff web UI.

The cookie (signed with `settings.secret_key`, itsdangerous) carries the CSRF token that every
POST form must echo back and, once logged in, the key of a server-side session row
(content.auth_sessions, kind "web"). Logout revokes that row, so a copied cookie is worthless
afterwards; a password change, an admin reset or a deactivation revokes every row of the user.
Validity is the row's `expires_at` against the server clock: the cookie's own signing time is
not checked, so a backward clock step does not log anyone out. Anonymous visitors get a cookie
with only a CSRF token, so the login form is protected too.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from content import accounts, auth_sessions
from content.errors import DomainError, Forbidden
from content.models import User
from web.deps import SessionDep

COOKIE_NAME = "gongkai_session"
SESSION_SALT = "gongkai.web-session"
SESSION_TTL_SECONDS = int(auth_sessions.SESSION_TTL.total_seconds())
PASSWORD_PAGE = "/account/password"
# Pages a user with an admin-reset password may still open: the change form and logout.
OPEN_WHILE_RESET = {PASSWORD_PAGE, "/logout"}
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class LoginRequired(Exception):
    """Raised by page dependencies; the web error handler redirects to the login page."""

    def __init__(self, next_path: str = "/"):
        super().__init__(next_path)
        self.next_path = next_path


class CsrfFailed(Forbidden):
    def __init__(self) -> None:
        super().__init__("csrf_failed", "页面已过期或来源不明，请刷新页面后重新提交")


@dataclass
class WebSession:
    key: str | None  # the server-side session key, None when anonymous
    csrf: str
    fresh: bool = False  # the cookie must be (re)written on the response


def _serializer(request: Request) -> URLSafeTimedSerializer:
    secret = request.app.state.settings.secret_key.get_secret_value()
    return URLSafeTimedSerializer(secret, salt=SESSION_SALT)


def read_session(request: Request) -> WebSession:
    """The session of this request (cached on request.state); a new anonymous one if none is valid."""
    cached = getattr(request.state, "web_session", None)
    if cached is not None:
        return cached
    raw = request.cookies.get(COOKIE_NAME)
    ws = None
    if raw:
        try:
            data = _serializer(request).loads(raw)  # no max_age: the server-side row decides
            if isinstance(data, dict) and isinstance(data.get("c"), str):
                key = data.get("s")
                ws = WebSession(key=key if isinstance(key, str) else None, csrf=data["c"])
        except BadSignature:
            ws = None
    if ws is None:
        ws = WebSession(key=None, csrf=secrets.token_urlsafe(24), fresh=True)
    request.state.web_session = ws
    return ws


def write_session(request: Request, response: Response, ws: WebSession) -> None:
    value = _serializer(request).dumps({"s": ws.key, "c": ws.csrf})
    secure = request.app.state.settings.public_url.startswith("https://")
    response.set_cookie(COOKIE_NAME, value, max_age=SESSION_TTL_SECONDS, httponly=True, samesite="lax",
                        secure=secure, path="/")


def start_user_session(request: Request, response: Response, user: User, session: Session) -> None:
    """Log in: a server-side session row and a new CSRF token (a token seen before login is worthless
    after it). The caller commits `session`."""
    key = auth_sessions.open_session(session, user=user, kind=auth_sessions.WEB)
    ws = WebSession(key=key, csrf=secrets.token_urlsafe(24), fresh=True)
    request.state.web_session = ws
    write_session(request, response, ws)


def end_session(request: Request, response: Response, session: Session) -> None:
    """Log out: revoke this session's row (the caller commits) and drop the cookie."""
    ws = read_session(request)
    if ws.key:
        auth_sessions.revoke_key(session, ws.key)
    response.delete_cookie(COOKIE_NAME, path="/")


def check_csrf(request: Request, submitted: str | None) -> None:
    ws = read_session(request)
    if ws.fresh or not submitted or not hmac.compare_digest(ws.csrf, submitted):
        raise CsrfFailed()


async def read_form(request: Request) -> FormData:
    """The submitted form, after checking its CSRF token (field or X-CSRF-Token header)."""
    form = await request.form()
    token = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    check_csrf(request, token if isinstance(token, str) else None)
    return form


def optional_user(request: Request, session: SessionDep) -> User | None:
    """The logged-in user, or None (no cookie, a revoked or expired session, an inactive user)."""
    ws = read_session(request)
    if not ws.key:
        return None
    user, _why = auth_sessions.user_for_key(session, ws.key, kind=auth_sessions.WEB)
    if user is None:
        return None
    request.state.web_user = user
    request.state.web_roles = accounts.roles_of(session, user.id)
    return user


def web_user(request: Request, user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None or (user.must_change_password and request.url.path not in OPEN_WHILE_RESET):
        # A user whose password an admin reset is sent to /login, which forwards to the change form.
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return user


WebUserDep = Annotated[User, Depends(web_user)]


def roles(request: Request) -> set[str]:
    return getattr(request.state, "web_roles", set())


def admin_user(request: Request, user: WebUserDep) -> User:
    if "admin" not in roles(request):
        raise Forbidden("admin_required", "只有政务公开专员（管理员）可以访问此页面")
    return user


AdminUserDep = Annotated[User, Depends(admin_user)]


def safe_next(path: str | None) -> str:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


__all__ = [
    "AdminUserDep", "CSRF_FIELD", "CsrfFailed", "DomainError", "LoginRequired", "WebUserDep", "check_csrf",
    "PASSWORD_PAGE", "end_session", "optional_user", "read_form", "read_session", "safe_next", "start_user_session",
    "write_session",
]  # fmt: skip
