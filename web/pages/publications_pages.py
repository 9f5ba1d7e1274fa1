"""发布记录: every Publication row (per item and channel) with filters; retry a failed one, withdraw an item.

Retry goes through `content.publications.retry_publication` (the same rule as the JSON API: the item's
drafter or an admin); 撤稿 goes through `workflow.apply_action(action="withdraw")`, and its button shows
only where `workflow.available_actions` offers it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlmodel import col, select

from content.errors import DomainError
from content.models import CHANNEL_LABELS, PUBLICATION_STATE_LABELS, Department, Item, Publication, User
from content.publications import (
    CONFIRMABLE,
    RETRYABLE,
    confirm_publication,
    list_publications,
    may_retry,
    resend_risk,
    retry_publication,
)
from content.review import chain as workflow
from web.deps import SessionDep
from web.pages.access import WIDE_ROLES, can_view, item_for_viewer
from web.pages.session import WebUserDep, read_form, roles
from web.pages.templating import channel_label, render

router = APIRouter()
PAGE_SIZE = 50
CHANNEL_CHOICES = CHANNEL_LABELS


def pub_channel_label(pub: Publication) -> str:
    if pub.target:
        return channel_label(f"{pub.channel}:{pub.target}")
    return CHANNEL_CHOICES.get(pub.channel, pub.channel)


def _filters(request: Request) -> dict[str, str]:
    p = request.query_params
    f = {k: p.get(k, "") for k in ("state", "channel", "item", "page")}
    f["state"] = f["state"] if f["state"] in PUBLICATION_STATE_LABELS else ""
    f["channel"] = f["channel"] if f["channel"] in CHANNEL_CHOICES else ""
    f["item"] = f["item"] if f["item"].isdigit() and 0 < int(f["item"]) < 2**31 else ""  # one item's channels
    return f


def _page(request: Request, session, user: User, *, errors: dict | None = None, typed: dict | None = None,
          message: str | None = None, status: int = 200):
    f = _filters(request)
    page = max(int(f["page"]) if f["page"].isdigit() else 1, 1)
    mine = roles(request)
    restricted = not mine & WIDE_ROLES  # drafters and heads see their own department's items
    rows = [] if restricted and user.department_id is None else list_publications(
        session, org_id=user.org_id, state=f["state"] or None, channel=f["channel"] or None,
        item_id=int(f["item"]) if f["item"] else None, department_id=user.department_id if restricted else None, limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE)
    more, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    item_ids = list(dict.fromkeys(p.item_id for p in rows))
    items = {i.id: i for i in session.exec(select(Item).where(col(Item.id).in_(item_ids)))} if item_ids else {}
    groups = []
    for item_id in item_ids:
        item = items[item_id]
        groups.append({
            "item": item, "withdrawable": "withdraw" in workflow.available_actions(session, item, user),
            "retry_allowed": may_retry(user, mine, item),
            "rows": [{"pub": p, "label": pub_channel_label(p), "retryable": p.state in RETRYABLE,
                      "resend_risk": resend_risk(p),
                      "confirmable": "admin" in mine and p.state in CONFIRMABLE}
                     for p in rows if p.item_id == item_id],
        })  # fmt: skip
    departments = {d.id: d.name for d in session.exec(select(Department).where(Department.org_id == user.org_id))}
    qs = {k: v for k, v in f.items() if v and k != "page"}
    filtered_item = _filtered_item(session, user, f["item"], items)
    return render(request, "publications/list.html", {
        "groups": groups, "f": f, "filtered_item": filtered_item, "page": page, "has_more": more, "dept_names": departments,
        "channel_choices": CHANNEL_CHOICES, "errors": errors or {}, "typed": typed or {}, "message": message,
        "done": request.query_params.get("done"), "back_qs": urlencode(qs),
        "all_items_qs": urlencode({k: v for k, v in qs.items() if k != "item"}),
        "prev_qs": urlencode({**qs, "page": page - 1}), "next_qs": urlencode({**qs, "page": page + 1}),
    }, status=status)  # fmt: skip


def _filtered_item(session, user: User, item_id: str, shown: dict[int, Item]) -> Item | None:
    """The item the list is limited to, for its title above the list (only one the user may see)."""
    if not item_id:
        return None
    if int(item_id) in shown:
        return shown[int(item_id)]
    item = session.get(Item, int(item_id))
    return item if item is not None and can_view(session, user, item) else None


def _back(request: Request, done: str) -> str:
    """Back to the list with the filters the form was posted from (its action URL carries them)."""
    qs = {k: v for k, v in _filters(request).items() if v and k != "page"}
    return "/publications?" + urlencode({**qs, "done": done})


@router.get("/publications", name="web_publications")
def publications(request: Request, session: SessionDep, user: WebUserDep):
    return _page(request, session, user)


@router.post("/publications/{pub_id}/retry")
async def retry(request: Request, pub_id: int, session: SessionDep, user: WebUserDep):
    await read_form(request)
    try:
        retry_publication(session, pub_id=pub_id, actor=user,
                          guard=getattr(request.app.state, "resend_guard", None))  # asks WeChat first
        session.commit()
    except DomainError as exc:
        if exc.status in (403, 404):
            raise  # the session closes uncommitted; rolling back here would expire the user the 403 page shows
        session.rollback()
        return _page(request, session, user, message=exc.message, status=exc.status)
    return RedirectResponse(_back(request, "retry"), status_code=303)


@router.post("/publications/{pub_id}/confirm")
async def confirm(request: Request, pub_id: int, session: SessionDep, user: WebUserDep):
    """确认已发布: the admin found the post live and records its address (audited)."""
    form = await read_form(request)
    url = str(form.get("url") or "")
    try:
        confirm_publication(session, pub_id=pub_id, actor=user, url=url)
        session.commit()
    except DomainError as exc:
        if exc.status in (403, 404):
            raise  # the session closes uncommitted; rolling back here would expire the user the 403 page shows
        session.rollback()
        return _page(request, session, user, errors={f"confirm_{pub_id}": exc.message},
                     typed={"pub_id": pub_id, "url": url}, status=exc.status)
    return RedirectResponse(_back(request, "confirm"), status_code=303)


@router.post("/publications/items/{item_id}/withdraw")
async def withdraw(request: Request, item_id: int, session: SessionDep, user: WebUserDep):
    form = await read_form(request)
    item_for_viewer(session, user, item_id, roles(request))
    reason = str(form.get("reason") or "").strip()
    typed = {"item_id": item_id, "reason": str(form.get("reason") or "")}
    if not reason:
        return _page(request, session, user, errors={f"withdraw_{item_id}": "请填写撤稿理由"}, typed=typed,
                     status=422)
    try:
        workflow.apply_action(session, item_id=item_id, actor=user, action="withdraw", reason=reason, channel="web")
        session.commit()
    except DomainError as exc:
        if exc.status in (403, 404):
            raise  # the session closes uncommitted; rolling back here would expire the user the 403 page shows
        session.rollback()
        return _page(request, session, user, errors={f"withdraw_{item_id}": exc.message}, typed=typed,
                     status=exc.status)
    return RedirectResponse(_back(request, "withdraw"), status_code=303)
