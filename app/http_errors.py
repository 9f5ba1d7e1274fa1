"""Uniform error answers: JSON {code, message} with a Chinese message; never a traceback."""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from content.db.readonly import is_read_only, read_only_error
from content.errors import DomainError

log = logging.getLogger("gongkai.http")

_HTTP_MESSAGES = {
    400: ("bad_request", "请求格式错误"),
    401: ("unauthorized", "请先登录或提供有效的访问令牌"),
    403: ("forbidden", "没有权限执行此操作"),
    404: ("not_found", "请求的资源不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    413: ("body_too_large", "请求内容过大"),
}


def error_response(status: int, code: str, message: str, **extra) -> JSONResponse:
    return JSONResponse({"code": code, "message": message, **extra}, status_code=status)


def _validation_message(exc: RequestValidationError) -> tuple[str, list]:
    details = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        details.append({"field": loc, "error": err.get("type", ""), "detail": str(err.get("msg", ""))})
    if any(d["error"] == "json_invalid" for d in details):
        return "JSON 格式错误，无法解析", details
    fields = "、".join(d["field"] for d in details if d["field"]) or "请求内容"
    return f"字段校验未通过：{fields}", details


def install_error_handlers(app: FastAPI, *, max_body_bytes: int, path_limits: dict[str, int] | None = None) -> None:
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes, path_limits=path_limits)

    @app.exception_handler(DomainError)
    async def _domain(_request: Request, exc: DomainError):
        return JSONResponse(exc.as_dict(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError):
        message, details = _validation_message(exc)
        return error_response(422, "validation_error", message, errors=details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException):
        code, message = _HTTP_MESSAGES.get(exc.status_code, ("http_error", "请求失败"))
        if isinstance(exc.detail, dict):
            code, message = exc.detail.get("code", code), exc.detail.get("message", message)
        return error_response(exc.status_code, code, message)

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError):
        """A read-only database is a 503 with its own code (answered like any DomainError, so web pages
        get their HTML page); every other database error goes to the catch-all handler, as before."""
        if is_read_only(exc):
            log.error("database refused a write (read-only) on %s %s", request.method, request.url.path)
            return await app.exception_handlers[DomainError](request, read_only_error())
        return await app.exception_handlers[Exception](request, exc)  # logged there, answered as a 500

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "服务器内部错误，请稍后重试或联系管理员")


class BodySizeLimit:
    """Refuse bodies over the limit with 413 before anything reads them.

    `path_limits` gives a few exact paths (the file uploads) a larger cap than the rest of the app."""

    def __init__(self, app: ASGIApp, max_bytes: int, path_limits: dict[str, int] | None = None):
        self.app = app
        self.default_max = max_bytes
        self.path_limits = dict(path_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.path_limits.get(scope.get("path", ""), self.default_max)
        await _Limited(self.app, limit)(scope, receive, send)


class _Limited:
    """One request under one cap (see BodySizeLimit)."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(send, scope)
            return
        received = 0
        too_large = False

        async def limited_receive():
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise _BodyTooLarge
            return message

        started = False

        async def guarded_send(message) -> None:
            # FastAPI turns an exception raised while it reads the body into its own 400; once the
            # limit was hit, answer 413 instead of whatever the app says.
            nonlocal started
            if too_large:
                if not started:
                    started = True
                    await self._reject(send, scope)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyTooLarge:
            if not started:
                await self._reject(send, scope)

    async def _reject(self, send: Send, scope: Scope) -> None:
        message = f"请求内容过大（上限 {self.max_bytes} 字节）"
        if _prefers_html(scope):  # a browser posting a web form gets a page, not JSON
            body, kind = _TOO_LARGE_PAGE.format(message=message).encode(), b"text/html; charset=utf-8"
        else:
            body = json.dumps({"code": "body_too_large", "message": message}, ensure_ascii=False).encode()
            kind = b"application/json"
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(Exception):
    pass


_TOO_LARGE_PAGE = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>内容过大 · gongkai</title>'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/static/css/app.css">'
    '</head><body><main class="page"><section class="card error-card"><h1>413 · 内容过大</h1>'
    '<p class="error-message">{message}。请删减内容或缩小上传的文件后重新提交。</p>'
    '<p><a href="javascript:history.back()">返回上一页</a> · <a href="/">返回工作台</a></p></section></main></body></html>'
)


def _prefers_html(scope: Scope) -> bool:
    """A web page (not /api/, /wechat/) whose Accept header ranks text/html at least as high as JSON."""
    if scope.get("path", "").startswith(("/api/", "/wechat/")):
        return False
    accept = dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1").lower()
    ranks: dict[str, float] = {}
    for part in accept.split(","):
        kind, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranks[kind.strip()] = max(q, ranks.get(kind.strip(), 0.0))
    html = max(ranks.get("text/html", 0.0), ranks.get("application/xhtml+xml", 0.0))
    return html > 0 and html >= ranks.get("application/json", 0.0)
