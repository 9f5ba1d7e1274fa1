"""台账: the disclosure-application register, interactions and appeal cases.

Every signed-in user of the org reads; only the admin (政务公开专员) writes. All validation lives in
`annual.registers` (their `Invalid` errors name the field they concern, shown inline here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlmodel import select

from annual.registers import applications as apps
from annual.registers import store
from annual.registers.codes import (
    APPEAL_KINDS,
    APPEAL_OUTCOMES,
    APPLICANT_TYPES,
    DENY_CODES,
    INTERACTION_KINDS,
    RECEIPT_CHANNELS,
    RESULT_CODES,
    RESULT_GROUPS,
)
from annual.registers.holidays import missing_years
from annual.registers.models import AppealCase, DisclosureApplication, Interaction
from annual.workdays import WorkCalendar
from content.errors import DomainError, NotFound
from content.models import User
from content.timeutil import local_today
from web.deps import SessionDep
from web.pages.forms import field_of
from web.pages.session import AdminUserDep, WebUserDep, read_form
from web.pages.templating import render

router = APIRouter()
SOON = 5  # working days: the bot's first reminder; the list marks these rows


def countdown(cal: WorkCalendar, application: DisclosureApplication, today: date) -> dict[str, str]:
    """What the list shows in the 剩余 column: text and a kind (done, wait, late, soon, ok)."""
    if application.replied_on:
        return {"text": f"已于 {application.replied_on} 答复", "kind": "done"}
    if application.due_on is None:
        return {"text": "待补正（期限暂停）", "kind": "wait"}
    if application.due_on < today:
        late = cal.workdays_between(application.due_on, today)
        return {"text": f"已逾期 {late} 个工作日" if late else "已逾期", "kind": "late"}
    left = cal.workdays_between(today, application.due_on)
    if left == 0:
        return {"text": "今日到期", "kind": "soon"}
    return {"text": f"剩 {left} 个工作日", "kind": "soon" if left <= SOON else "ok"}


def _fail(exc: DomainError) -> tuple[dict[str, str], str | None]:
    """(inline field errors, page message) for a refused write; 403/404 become error pages."""
    if exc.status in (403, 404):
        raise exc
    field = field_of(exc)
    return ({field: exc.message}, None) if field else ({}, exc.message)


@router.get("/registers", name="web_registers")
def registers_home(request: Request, session: SessionDep, user: WebUserDep, year: str = "", open: str = ""):
    cal = WorkCalendar.load(session, user.org_id)
    today = local_today()
    year_n = int(year) if year.isdigit() and 2004 <= int(year) <= 2100 else None
    rows = apps.list_applications(session, org_id=user.org_id, year=year_n, open_only=open == "1", limit=500)
    return render(request, "registers/index.html", {
        "applications": [{"application": a, "countdown": countdown(cal, a, today), "flags": apps.flags(cal, a, today)}
                         for a in rows],
        "interactions": store.list_rows(session, Interaction, org_id=user.org_id, limit=500),
        "appeals": store.list_rows(session, AppealCase, org_id=user.org_id, limit=500),
        "f": {"year": year, "open": open}, "missing_years": missing_years(session, org_id=user.org_id),
        "today": today, "deleted": request.query_params.get("deleted", ""), **_labels(),
    })  # fmt: skip


def _labels() -> dict[str, Any]:
    return {"CHANNELS": RECEIPT_CHANNELS, "APPLICANT_TYPES": APPLICANT_TYPES, "RESULT_CODES": RESULT_CODES,
            "INTERACTION_KINDS": INTERACTION_KINDS, "APPEAL_KINDS": APPEAL_KINDS, "APPEAL_OUTCOMES": APPEAL_OUTCOMES}


# ---- 依申请公开台账 ----------------------------------------------------------------------------

_APP_TEXT = [f for f in apps.FIELDS if f != "withheld_reasons"]


def _app_values(application: DisclosureApplication | None) -> dict[str, Any]:
    if application is None:
        return {**{f: "" for f in _APP_TEXT}, "extension_days": "0", "consultation_days": "0",
                "received_on": str(local_today()), "withheld_reasons": []}
    values = {f: "" if getattr(application, f) is None else str(getattr(application, f)) for f in _APP_TEXT}
    values["withheld_reasons"] = list(application.withheld_reasons or [])
    return values


def _app_form(form) -> dict[str, Any]:
    values: dict[str, Any] = {f: str(form.get(f) or "").strip() for f in _APP_TEXT}
    values["withheld_reasons"] = [str(c) for c in form.getlist("withheld_reasons")]
    return values


def _app_page(request: Request, session, user: User, application: DisclosureApplication | None, values: dict, *,
              errors: dict | None = None, message: str | None = None, status: int = 200, saved: bool = False):
    cal = WorkCalendar.load(session, user.org_id)
    handlers = session.exec(select(User).where(User.org_id == user.org_id, User.active == True)  # noqa: E712
                            .order_by(User.id)).all()
    return render(request, "registers/application.html", {
        "application": application, "v": values, "errors": errors or {}, "message": message, "saved": saved,
        "countdown": countdown(cal, application, local_today()) if application else None,
        "flags": apps.flags(cal, application, local_today()) if application else [],
        "result_groups": RESULT_GROUPS, "deny_codes": [(c, RESULT_CODES[c]) for c in DENY_CODES],
        "handlers": handlers, "max_extension": apps.MAX_EXTENSION, **_labels(),
    }, status=status)  # fmt: skip


@router.get("/registers/applications/new", name="web_application_new")
def application_new(request: Request, session: SessionDep, admin: AdminUserDep):
    return _app_page(request, session, admin, None, _app_values(None))


@router.post("/registers/applications/new")
async def application_create(request: Request, session: SessionDep, admin: AdminUserDep):
    values = _app_form(await read_form(request))
    try:
        application = apps.create_application(session, org_id=admin.org_id, actor=admin, data=values)
        session.commit()
    except DomainError as exc:
        session.rollback()
        errors, message = _fail(exc)
        return _app_page(request, session, admin, None, values, errors=errors, message=message, status=exc.status)
    return RedirectResponse(f"/registers/applications/{application.id}?saved=1", status_code=303)


@router.get("/registers/applications/{app_id}", name="web_application")
def application_page(request: Request, app_id: int, session: SessionDep, user: WebUserDep, saved: int = 0):
    application = apps.get_application(session, org_id=user.org_id, app_id=app_id)
    return _app_page(request, session, user, application, _app_values(application), saved=bool(saved))


@router.post("/registers/applications/{app_id}")
async def application_save(request: Request, app_id: int, session: SessionDep, admin: AdminUserDep):
    form = await read_form(request)
    application = apps.get_application(session, org_id=admin.org_id, app_id=app_id)
    values = _app_form(form)
    try:
        apps.update_application(session, org_id=admin.org_id, actor=admin, app_id=app_id, changes=values)
        session.commit()
    except DomainError as exc:
        session.rollback()
        errors, message = _fail(exc)
        application = apps.get_application(session, org_id=admin.org_id, app_id=app_id)
        return _app_page(request, session, admin, application, values, errors=errors, message=message, status=exc.status)
    return RedirectResponse(f"/registers/applications/{application.id}?saved=1", status_code=303)


# ---- 互动交流 and 复议诉讼: one set of routes driven by a description of each register ----------

@dataclass(frozen=True)
class Register:
    slug: str
    title: str
    model: type
    fields: list[tuple[str, str, str, dict[str, str] | None]]  # name, label, input type, choices
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., None]


REGISTERS = {
    "interactions": Register("interactions", "互动交流（网上调查问卷、民意征集、在线访谈）", Interaction, [
        ("kind", "类型", "select", INTERACTION_KINDS), ("title", "标题", "text", None),
        ("starts_on", "开始日期", "date", None), ("ends_on", "结束日期", "date", None),
        ("participants", "参与人次", "number", None), ("suggestions", "收到意见建议（条）", "number", None),
    ], store.create_interaction, store.update_interaction, store.delete_interaction),
    "appeals": Register("appeals", "行政复议和行政诉讼", AppealCase, [
        ("kind", "类型", "select", APPEAL_KINDS), ("case_no", "案号", "text", None),
        ("filed_on", "立案日期", "date", None), ("outcome", "结果", "select", APPEAL_OUTCOMES),
        ("decided_on", "审结日期", "date", None), ("application_id", "关联的申请（编号）", "number", None),
        ("note", "备注", "textarea", None),
    ], store.create_appeal, store.update_appeal, store.delete_appeal),
}  # fmt: skip


def _register(slug: str) -> Register:
    if slug not in REGISTERS:
        raise NotFound("not_found", "没有这个台账")
    return REGISTERS[slug]


def _row_values(reg: Register, row: Any | None) -> dict[str, str]:
    if row is None:
        return {name: "" for name, *_ in reg.fields}
    return {name: "" if getattr(row, name) is None else str(getattr(row, name)) for name, *_ in reg.fields}


def _row_page(request: Request, reg: Register, row: Any | None, values: dict, *, errors: dict | None = None,
              message: str | None = None, status: int = 200, saved: bool = False):
    return render(request, "registers/row.html", {
        "reg": reg, "row": row, "v": values, "errors": errors or {}, "message": message, "saved": saved,
    }, status=status)  # fmt: skip


@router.get("/registers/{slug}/new")
def row_new(request: Request, slug: str, admin: AdminUserDep):
    reg = _register(slug)
    return _row_page(request, reg, None, _row_values(reg, None))


@router.post("/registers/{slug}/new")
async def row_create(request: Request, slug: str, session: SessionDep, admin: AdminUserDep):
    reg = _register(slug)
    form = await read_form(request)
    values = {name: str(form.get(name) or "").strip() for name, *_ in reg.fields}
    try:
        row = reg.create(session, org_id=admin.org_id, actor=admin, data=values)
        session.commit()
    except DomainError as exc:
        session.rollback()
        errors, message = _fail(exc)
        return _row_page(request, reg, None, values, errors=errors, message=message, status=exc.status)
    return RedirectResponse(f"/registers/{slug}/{row.id}?saved=1", status_code=303)


@router.get("/registers/{slug}/{row_id}")
def row_page(request: Request, slug: str, row_id: int, session: SessionDep, user: WebUserDep, saved: int = 0):
    reg = _register(slug)
    row = store.get_row(session, reg.model, org_id=user.org_id, row_id=row_id)
    return _row_page(request, reg, row, _row_values(reg, row), saved=bool(saved))


@router.post("/registers/{slug}/{row_id}")
async def row_save(request: Request, slug: str, row_id: int, session: SessionDep, admin: AdminUserDep):
    reg = _register(slug)
    form = await read_form(request)
    values = {name: str(form.get(name) or "").strip() for name, *_ in reg.fields}
    try:
        reg.update(session, org_id=admin.org_id, actor=admin, row_id=row_id, changes=values)
        session.commit()
    except DomainError as exc:
        session.rollback()
        errors, message = _fail(exc)
        row = store.get_row(session, reg.model, org_id=admin.org_id, row_id=row_id)
        return _row_page(request, reg, row, values, errors=errors, message=message, status=exc.status)
    return RedirectResponse(f"/registers/{slug}/{row_id}?saved=1", status_code=303)


@router.post("/registers/{slug}/{row_id}/delete")
async def row_delete(request: Request, slug: str, row_id: int, session: SessionDep, admin: AdminUserDep):
    reg = _register(slug)
    await read_form(request)
    reg.delete(session, org_id=admin.org_id, actor=admin, row_id=row_id)
    session.commit()
    return RedirectResponse(f"/registers?deleted={slug}#{slug}", status_code=303)
