"""HTML error pages for people in a browser; the JSON API keeps its {code, message} answers.

`install_error_pages(app)` wraps the app's existing handlers: a request for a web page (not under
/api/ or /wechat/, and either made by one of the web UI's routes or asking for text/html) gets a
Chinese HTML page; everything else is passed to the handler that was there before.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import inspect as sa_inspect
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from content.errors import DomainError
from content.models import User
from web.pages.session import LoginRequired

log = logging.getLogger("gongkai.web")

_TITLES = {
    400: "请求有误", 403: "没有权限", 404: "页面不存在", 405: "不支持的操作", 409: "操作冲突",
    413: "内容过大", 422: "输入有误", 429: "操作过于频繁", 500: "服务器内部错误",
}  # fmt: skip
_MESSAGES = {
    403: "您没有查看此页面或执行此操作的权限。", 404: "您要访问的页面不存在，可能已被删除或地址有误。",
    405: "不支持该请求方式。", 500: "服务器内部错误，请稍后重试或联系管理员。",
}  # fmt: skip
_API_PREFIXES = ("/api/", "/wechat/")


def wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(_API_PREFIXES):
        return False
    if getattr(request.state, "web_page", False):
        return True
    accept = request.headers.get("accept", "")
    return "text/html" in accept


def page_user(request: Request) -> SimpleNamespace | None:
    """The signed-in user as plain values, safe to render after the request's session is gone.

    An error page is rendered after the route's database session has been rolled back (every
    attribute expired) and closed (detached): reading `user.name` from that ORM object raises
    DetachedInstanceError inside the error handler, which ends as a bare 500. So the page never
    touches the ORM object: loaded values are copied, expired ones are read in a short session.
    """
    user = getattr(request.state, "web_user", None)
    if user is None or isinstance(user, SimpleNamespace):
        return user
    state = sa_inspect(user)
    values = {k: state.dict[k] for k in ("id", "name", "login") if k in state.dict}
    if len(values) < 3:
        user_id = values.get("id") or (state.identity[0] if state.identity else None)
        with Session(request.app.state.engine) as session:
            fresh = session.get(User, user_id) if user_id is not None else None
            values = {"id": user_id, "name": fresh.name if fresh else "", "login": fresh.login if fresh else ""}
    snapshot = SimpleNamespace(**values)
    request.state.web_user = snapshot  # later renders of this request read the plain copy too
    return snapshot


def error_page(request: Request, status: int, message: str | None = None, code: str = ""):
    from web.pages.templating import render  # late: templating imports session

    return render(request, "error.html", {
        "status": status, "title": _TITLES.get(status, "出错了"), "code": code, "user": page_user(request),
        "message": message or _MESSAGES.get(status, "请求未能完成。"),
    }, status=status)  # fmt: skip


def install_error_pages(app: FastAPI) -> None:
    previous_domain = app.exception_handlers.get(DomainError)
    previous_http = app.exception_handlers.get(StarletteHTTPException)
    previous_any = app.exception_handlers.get(Exception)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired):
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(exc.next_path, safe='/')}", status_code=303)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError):
        if wants_html(request):
            return error_page(request, exc.status, exc.message, exc.code)
        return await previous_domain(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if wants_html(request):
            message = exc.detail.get("message") if isinstance(exc.detail, dict) else None
            return error_page(request, exc.status_code, message)
        return await previous_http(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        if wants_html(request):
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            return error_page(request, 500)
        return await previous_any(request, exc)
