"""Jinja2 environment and the one `render()` every page goes through (autoescape on)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse
from starlette.routing import Match

from content.labels import actor_label, audit_action_label, channel_label, explain_error, name_with_roles
from content.models import (
    CHANNEL_LABELS,
    GATE_LABELS,
    PUBLICATION_STATE_LABELS,
    ROLE_LABELS,
    STATE_LABELS,
)
from content.timeutil import fmt_local
from content.urls import safe_href
from web.pages.session import read_session, roles, write_session

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
templates = Jinja2Templates(directory=str(TEMPLATE_DIR))

# Navigation: (label, path, required role or None). Entries for pages that other features add
# (publications, registers, report, sandbox) show only once a route with that path exists.
NAV = [
    ("工作台", "/", None),
    ("稿件", "/items", None),
    ("新建稿件", "/items/new", "drafter"),
    ("日历", "/calendar", None),
    ("发布记录", "/publications", None),
    ("台账", "/registers", None),
    ("年度报告", "/reports", None),
    ("聊天模拟器", "/sandbox/chat", None),
    ("微信绑定", "/me/binding", None),
    ("公开栏", "/notices", None),
    ("发布渠道", "/settings/channels", "admin"),
    ("系统设置", "/settings", "admin"),
]

ACTION_LABELS = {
    "submit": "提交审核", "approve": "同意", "reject": "驳回", "recall": "撤回为草稿",
    "flag_sensitive": "标记敏感", "clear_sensitive": "取消敏感标记", "emergency_publish": "紧急发布",
    "withdraw": "撤稿", "archive": "归档",
}  # fmt: skip
ORIGIN_LABELS = {"original": "原创", "repost": "转载"}
DECISION_LABELS = {"approved": "同意", "rejected": "驳回", "approve": "同意", "reject": "驳回",
                   "voided": "作废", "skipped": "跳过", "pending": "待审"}
VIA_LABELS = {"web": "网页", "wecom": "企业微信", "mp": "公众号", "cli": "命令行", "api": "接口"}


def route_exists(app, path: str) -> bool:
    """Whether some router of the app answers GET `path` (FastAPI may nest included routers)."""
    cache = getattr(app.state, "web_route_cache", None)
    if cache is None:
        cache = app.state.web_route_cache = {}
    if path not in cache:
        scope = {"type": "http", "path": path, "method": "GET", "root_path": "", "headers": [],
                 "query_string": b""}
        cache[path] = any(r.matches(scope)[0] == Match.FULL for r in app.router.routes)
    return cache[path]


def nav_entries(request: Request) -> list[tuple[str, str, bool]]:
    """(label, path, active): the active entry is the longest path that prefixes the current one."""
    mine = roles(request)
    shown = [(label, path) for label, path, role in NAV
             if (role is None or role in mine) and route_exists(request.app, path)]
    here = request.url.path
    matches = [p for _, p in shown if here == p or (p != "/" and here.startswith(p + "/"))]
    active = max(matches, key=len) if matches else None
    return [(label, path, path == active) for label, path in shown]


def render(request: Request, name: str, context: dict[str, Any] | None = None, *, status: int = 200) -> HTMLResponse:
    ws = read_session(request)
    ctx = {
        "request": request,
        "user": getattr(request.state, "web_user", None),
        "roles": roles(request),
        "csrf_token": ws.csrf,
        "nav": nav_entries(request) if getattr(request.state, "web_user", None) else [],
        "path": request.url.path,
    }
    ctx.update(context or {})
    response = templates.TemplateResponse(request, name, ctx, status_code=status)
    if ws.fresh:
        write_session(request, response, ws)
        ws.fresh = False
    return response


env = templates.env
env.filters["dt"] = fmt_local
env.filters["day"] = lambda v: fmt_local(v, "%Y-%m-%d")
env.filters["explain_error"] = explain_error
env.filters["safe_url"] = safe_href  # stored links: http/https or our files, else "#"
env.globals.update(
    STATE_LABELS=STATE_LABELS, GATE_LABELS=GATE_LABELS, ROLE_LABELS=ROLE_LABELS,
    PUBLICATION_STATE_LABELS=PUBLICATION_STATE_LABELS, CHANNEL_LABELS=CHANNEL_LABELS,
    ACTION_LABELS=ACTION_LABELS, ORIGIN_LABELS=ORIGIN_LABELS, DECISION_LABELS=DECISION_LABELS,
    VIA_LABELS=VIA_LABELS, channel_label=channel_label, audit_action_label=audit_action_label,
    actor_label=actor_label,
    name_with_roles=lambda name, codes: name_with_roles(name, [ROLE_LABELS.get(c, c) for c in sorted(codes)]),
)  # fmt: skip
