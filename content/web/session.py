"""Signed cookie sessions and CSRF tokens for the staff web UI.

The session lives entirely in one cookie signed with `settings.secret_key` (itsdangerous), so web
workers share nothing but the secret. The payload holds the user id, a fingerprint of the user's
password hash (changing the password ends every session) and the CSRF token that every POST form
must echo back. Anonymous visitors get a cookie with only a CSRF token, so the login form is
protected too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import FormData
from starlette.responses import Response

from content import accounts
from content.deps import SessionDep
from content.errors import DomainError, Forbidden
from content.models import User

COOKIE_NAME = "gongkai_session"
SESSION_SALT = "gongkai.web-session"
SESSION_TTL_SECONDS = 12 * 3600
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
    user_id: int | None
    fingerprint: str
    csrf: str
    fresh: bool = False  # the cookie must be (re)written on the response


def _serializer(request: Request) -> URLSafeTimedSerializer:
    secret = request.app.state.settings.secret_key.get_secret_value()
    return URLSafeTimedSerializer(secret, salt=SESSION_SALT)


def fingerprint(user: User) -> str:
    return hashlib.sha256(("web:" + user.password_hash).encode()).hexdigest()[:16]


def read_session(request: Request) -> WebSession:
    """The session of this request (cached on request.state); a new anonymous one if none is valid."""
    cached = getattr(request.state, "web_session", None)
    if cached is not None:
        return cached
    raw = request.cookies.get(COOKIE_NAME)
    ws = None
    if raw:
        try:
            data = _serializer(request).loads(raw, max_age=SESSION_TTL_SECONDS)
            if isinstance(data, dict) and isinstance(data.get("c"), str):
                ws = WebSession(user_id=data.get("u"), fingerprint=str(data.get("p", "")), csrf=data["c"])
        except BadSignature:
            ws = None
    if ws is None:
        ws = WebSession(user_id=None, fingerprint="", csrf=secrets.token_urlsafe(24), fresh=True)
    request.state.web_session = ws
    return ws


def write_session(request: Request, response: Response, ws: WebSession) -> None:
    value = _serializer(request).dumps({"u": ws.user_id, "p": ws.fingerprint, "c": ws.csrf})
    secure = request.app.state.settings.public_url.startswith("https://")
    response.set_cookie(COOKIE_NAME, value, max_age=SESSION_TTL_SECONDS, httponly=True, samesite="lax",
                        secure=secure, path="/")


def start_user_session(request: Request, response: Response, user: User) -> None:
    """Log in: a new CSRF token too, so a token seen before login is worthless after it."""
    ws = WebSession(user_id=user.id, fingerprint=fingerprint(user), csrf=secrets.token_urlsafe(24), fresh=True)
    request.state.web_session = ws
    write_session(request, response, ws)


def end_session(response: Response) -> None:
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
    ws = read_session(request)
    if ws.user_id is None:
        return None
    user = session.get(User, ws.user_id)
    if user is None or not user.active or not hmac.compare_digest(fingerprint(user), ws.fingerprint):
        return None
    request.state.web_user = user
    request.state.web_roles = accounts.roles_of(session, user.id)
    return user


def web_user(request: Request, user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
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
    "end_session", "optional_user", "read_form", "read_session", "safe_next", "start_user_session",
    "write_session",
]  # fmt: skip
