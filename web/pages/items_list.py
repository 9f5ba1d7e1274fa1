"""稿件 list with filters and search, and the month calendar of scheduled and published posts."""

from __future__ import annotations

import calendar as cal
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlalchemy import or_
from sqlmodel import col, select

from content.models import STATE_LABELS, Department, Item, Taxonomy
from content.store import list_items
from content.timeutil import SHANGHAI, local, local_today
from web.deps import SessionDep
from web.pages.access import WIDE_ROLES, list_scope, visible_clause
from web.pages.forms import CHANNEL_CHOICES, categories
from web.pages.session import WebUserDep, roles
from web.pages.templating import render

router = APIRouter()
PAGE_SIZE = 50


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/items", name="web_items")
def items(request: Request, session: SessionDep, user: WebUserDep):
    p = request.query_params
    f = {k: p.get(k, "") for k in ("state", "department_id", "topic_id", "channel", "since", "until", "q", "page")}
    errors = {}
    since, until = _day(f["since"]), _day(f["until"])
    if f["since"] and since is None:
        errors["since"] = "日期格式应为 年-月-日"
    if f["until"] and until is None:
        errors["until"] = "日期格式应为 年-月-日"
    scope = {"department_id": _int(f["department_id"]), **list_scope(user, roles(request))}
    page = max(_int(f["page"]) or 1, 1)
    rows = list_items(
        session, org_id=user.org_id, state=f["state"] if f["state"] in STATE_LABELS else None,
        **scope, topic_id=_int(f["topic_id"]),
        channel=f["channel"] if f["channel"] in dict(CHANNEL_CHOICES) else None,
        since=datetime.combine(since, datetime.min.time(), SHANGHAI) if since else None,
        until=datetime.combine(until + timedelta(days=1), datetime.min.time(), SHANGHAI) if until else None,
        q=f["q"][:100] or None, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE,
    )  # fmt: skip
    qs = {k: v for k, v in f.items() if v and k != "page"}
    departments = session.exec(select(Department).where(Department.org_id == user.org_id)).all()
    return render(request, "items.html", {
        "rows": rows[:PAGE_SIZE], "has_more": len(rows) > PAGE_SIZE, "page": page, "f": f, "errors": errors,
        "departments": departments, "dept_names": {d.id: d.name for d in departments},
        "topics": categories(session, user.org_id, Taxonomy.topic), "channel_choices": CHANNEL_CHOICES,
        "wide": bool(roles(request) & WIDE_ROLES),
        "prev_qs": urlencode({**qs, "page": page - 1}), "next_qs": urlencode({**qs, "page": page + 1}),
    })  # fmt: skip


@router.get("/calendar", name="web_calendar")
def calendar_page(request: Request, session: SessionDep, user: WebUserDep, month: str = ""):
    today = local_today()
    try:
        first = datetime.strptime(month, "%Y-%m").date() if month else today.replace(day=1)
    except ValueError:
        first = today.replace(day=1)
    last_day = cal.monthrange(first.year, first.month)[1]
    start = datetime.combine(first, datetime.min.time(), SHANGHAI)
    end = start + timedelta(days=last_day)
    query = select(Item).where(
        Item.org_id == user.org_id,
        or_((col(Item.publish_at) >= start) & (col(Item.publish_at) < end),
            (col(Item.published_at) >= start) & (col(Item.published_at) < end)),
    )
    query = query.where(visible_clause(user, roles(request)))
    by_day: dict[date, list[Item]] = {}
    for item in session.exec(query.order_by(Item.id)).all():
        when = item.published_at or item.publish_at
        by_day.setdefault(local(when).date(), []).append(item)
    weeks = cal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    prev_month = (first - timedelta(days=1)).replace(day=1)
    next_month = first + timedelta(days=last_day)
    return render(request, "calendar.html", {
        "first": first, "weeks": weeks, "by_day": by_day, "today": today,
        "prev": prev_month.strftime("%Y-%m"), "next": next_month.strftime("%Y-%m"),
    })  # fmt: skip
