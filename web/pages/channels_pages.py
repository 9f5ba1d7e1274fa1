"""Settings page of the WeCom group robots and the bulletin-board print queue (公开栏待张贴).

Every form posts with the CSRF token; a mistake re-renders the page with a Chinese message and
changes nothing (the session is rolled back); success redirects (post/redirect/get).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import select

from channels.board import notices as board
from channels.wecom_group import robots
from channels.wecom_group.ratelimit import LIMIT, sends_in_window
from content.errors import DomainError
from content.files import context_for_app
from content.models import Item, User
from content.models.channel_targets import NOTICE_STATE_LABELS
from content.timeutil import utcnow
from web.deps import SessionDep
from web.pages.session import AdminUserDep, WebUserDep, read_form
from web.pages.templating import render


def _mark_web(request: Request) -> None:
    request.state.web_page = True  # errors here render as HTML pages, like the rest of the web UI


router = APIRouter(include_in_schema=False, dependencies=[Depends(_mark_web)])

DONE = {
    "created": "已添加群机器人", "updated": "已保存", "deleted": "已删除该群（已排队的推送将报告“群已不存在”）",
    "posted": "已登记张贴", "taken_down": "已登记撤下",
}  # fmt: skip


def _flashes(request: Request) -> list[tuple[str, str]]:
    done = DONE.get(request.query_params.get("done", ""))
    return [("ok", done)] if done else []


def _sandbox(request: Request) -> bool:
    return bool(getattr(request.app.state.settings, "sandbox", False))


def _robots_page(request: Request, session, user: User, *, error: str | None = None, form: dict | None = None,
                 status: int = 200):
    rows = robots.list_robots(session, org_id=user.org_id)
    now = utcnow()
    window = {r.id: sends_in_window(session, robot_id=r.id, now=now) for r in rows}
    flashes = _flashes(request) + ([("error", error)] if error else [])
    return render(request, "channels/robots.html", {
        "robots": rows, "mask": robots.mask_url, "msg_types": robots.MSG_TYPES, "window": window, "limit": LIMIT,
        "sandbox": _sandbox(request), "flashes": flashes, "form": form or {},
    }, status=status)  # fmt: skip


@router.get("/settings/channels")
def robots_page(request: Request, session: SessionDep, user: AdminUserDep):
    return _robots_page(request, session, user)


@router.post("/settings/channels/robots")
async def robot_create(request: Request, session: SessionDep, user: AdminUserDep):
    form = await read_form(request)
    data = {k: str(form.get(k) or "") for k in ("name", "webhook_url", "msg_type")}
    try:
        robots.create_robot(session, actor=user, name=data["name"], webhook_url=data["webhook_url"],
                            msg_type=data["msg_type"] or "news", allow_sandbox=_sandbox(request))
        session.commit()
    except DomainError as exc:
        session.rollback()
        data["webhook_url"] = ""  # a secret is never echoed back into the page
        return _robots_page(request, session, user, error=exc.message, form=data, status=exc.status)
    return RedirectResponse("/settings/channels?done=created", status_code=303)


@router.post("/settings/channels/robots/{robot_id}")
async def robot_update(request: Request, robot_id: int, session: SessionDep, user: AdminUserDep):
    form = await read_form(request)
    try:
        if form.get("delete"):
            robots.delete_robot(session, actor=user, robot_id=robot_id)
            done = "deleted"
        else:
            robots.update_robot(session, actor=user, robot_id=robot_id, name=str(form.get("name") or ""),
                                msg_type=str(form.get("msg_type") or "news"),
                                webhook_url=str(form.get("webhook_url") or "") or None,
                                allow_sandbox=_sandbox(request))
            done = "updated"
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _robots_page(request, session, user, error=exc.message, status=exc.status)
    return RedirectResponse(f"/settings/channels?done={done}", status_code=303)


def _notices_page(request: Request, session, user: User, *, error: str | None = None, status: int = 200):
    rows = board.list_notices(session, org_id=user.org_id)
    item_ids = {n.item_id for n in rows}
    user_ids = {u for n in rows for u in (n.posted_by, n.taken_down_by) if u}
    items = {i.id: i for i in session.exec(select(Item).where(Item.id.in_(item_ids)))} if item_ids else {}
    users = {u.id: u.name for u in session.exec(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    open_rows = [n for n in rows if n.state in board.OPEN_STATES]
    done_rows = [n for n in rows if n.state not in board.OPEN_STATES]
    flashes = _flashes(request) + ([("error", error)] if error else [])
    return render(request, "channels/notices.html", {
        "open_rows": open_rows, "done_rows": done_rows, "items": items, "users": users,
        "labels": NOTICE_STATE_LABELS, "flashes": flashes,
    }, status=status)  # fmt: skip


@router.get("/notices")
def notices_page(request: Request, session: SessionDep, user: WebUserDep):
    return _notices_page(request, session, user)


@router.get("/notices/{notice_id}.pdf")
def notice_pdf(request: Request, notice_id: int, session: SessionDep, user: WebUserDep) -> Response:
    notice, pdf = board.notice_pdf(session, org_id=user.org_id, notice_id=notice_id,
                                   files=context_for_app(request.app.state).backend)
    filename = f"notice-{notice.id}.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@router.post("/notices/{notice_id}/posted")
async def notice_posted(request: Request, notice_id: int, session: SessionDep, user: WebUserDep):
    form = await read_form(request)
    try:
        board.mark_posted(session, actor=user, notice_id=notice_id, location=str(form.get("location") or ""))
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _notices_page(request, session, user, error=exc.message, status=exc.status)
    return RedirectResponse("/notices?done=posted", status_code=303)


@router.post("/notices/{notice_id}/taken-down")
async def notice_taken_down(request: Request, notice_id: int, session: SessionDep, user: WebUserDep):
    await read_form(request)
    try:
        board.mark_taken_down(session, actor=user, notice_id=notice_id)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _notices_page(request, session, user, error=exc.message, status=exc.status)
    return RedirectResponse("/notices?done=taken_down", status_code=303)
