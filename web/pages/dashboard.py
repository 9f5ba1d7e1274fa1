"""工作台, one section per role the user holds.

drafter: my items by state (counts, and one paginated list per chosen state); reviewer (dept_head,
leader, principal): my review queue; admin: failed channels, 未完成审核 emergency items, overdue and
nearly due disclosure applications. Everyone: 待发布, 最近发布 (only what actually went out) and the
year's figures. Every list is paginated and counted in SQL (web.pages.dashboard_lists).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import func
from sqlmodel import col, select

from annual.registers.codes import APPLICANT_TYPES, label_of
from annual.registers.holidays import missing_years
from content.labels import channel_label, explain_error
from content.models import Item, Publication
from content.timeutil import local_today
from web.deps import SessionDep
from web.pages import dashboard_lists as lists
from web.pages.figures import year_figures
from web.pages.heartbeat import read_heartbeat
from web.pages.session import WebUserDep, roles
from web.pages.templating import render

router = APIRouter()
REVIEWER_ROLES = {"dept_head", "leader", "principal"}
# The order of the drafter's state tabs: what needs the drafter's hand first.
MY_STATES = ("rejected", "draft", "in_review", "approved", "scheduled", "published", "withdrawn", "archived")
WENT_OUT = ("sent", "confirmed")  # a pending row of a scheduled item is not a publication yet


def _pub_label(p: Publication) -> str:
    return channel_label(f"{p.channel}:{p.target}" if p.target else p.channel)


def recent_publications(session, org_id: int, limit: int = 10) -> list[dict]:
    """The items most recently sent out to a channel, each with the state of every channel it has."""
    went_out = func.max(func.coalesce(Publication.confirmed_at, Publication.sent_at))
    item_ids = session.exec(
        select(Publication.item_id).where(Publication.org_id == org_id, col(Publication.state).in_(WENT_OUT))
        .group_by(Publication.item_id).order_by(went_out.desc(), col(Publication.item_id).desc()).limit(limit)
    ).all()
    if not item_ids:
        return []
    items = {i.id: i for i in session.exec(select(Item).where(col(Item.id).in_(item_ids)))}
    pubs = session.exec(select(Publication).where(col(Publication.item_id).in_(item_ids))
                        .order_by(Publication.id)).all()
    out = {i: {"item": items[i], "channels": []} for i in item_ids if i in items}
    for p in pubs:
        out[p.item_id]["channels"].append({"label": _pub_label(p), "state": p.state,
                                           "error": explain_error(p.last_error), "url": p.remote_url})
    return list(out.values())


def _drafter_section(session, user, params) -> dict:
    counts = lists.my_state_counts(session, user)
    wanted = str(params.get("mine_state") or "")
    if wanted not in MY_STATES:
        wanted = next((s for s in MY_STATES if counts.get(s)), "draft")
    return {"counts": [(s, counts.get(s, 0)) for s in MY_STATES], "state": wanted,
            "page": lists.my_items(session, user, wanted, lists.page_number(params, "mine_page"))}


def _admin_section(session, user, params) -> dict:
    today = local_today()
    failed = lists.failed_publications(session, user.org_id, lists.page_number(params, "failed_page"))
    apps, horizon = lists.due_applications(session, user.org_id, today, lists.page_number(params, "apps_page"))
    return {
        "failed": failed,
        "failed_rows": [{"pub": p, "title": title, "label": _pub_label(p), "error": explain_error(p.last_error)}
                        for p, title in failed.rows],
        "incomplete": lists.incomplete_reviews(session, user.org_id, lists.page_number(params, "incomplete_page")),
        "apps": apps, "horizon": horizon, "today": today,
        "app_rows": [{"application": a, "overdue": a.due_on < today,
                      "applicant": label_of(APPLICANT_TYPES, a.applicant_type)} for a in apps.rows],
    }  # fmt: skip


@router.get("/", name="web_dashboard")
def dashboard(request: Request, session: SessionDep, user: WebUserDep):
    mine_roles = roles(request)
    params = request.query_params
    year = local_today().year
    figures = year_figures(session, org_id=user.org_id, year=year)
    chart_data = {
        "months": [f"{m}月" for m in range(1, 13)], "by_month": figures["by_month"],
        "by_topic": figures["by_topic"],
        "channels": [channel_label(c["channel"]) for c in figures["by_channel"]],
        "by_channel": [c["value"] for c in figures["by_channel"]],
    }  # fmt: skip
    return render(request, "dashboard.html", {
        "drafter": _drafter_section(session, user, params) if "drafter" in mine_roles else None,
        "queue": (lists.review_queue(session, user, lists.page_number(params, "queue_page"))
                  if mine_roles & REVIEWER_ROLES else None),
        "admin": _admin_section(session, user, params) if "admin" in mine_roles else None,
        "waiting": lists.waiting_items(session, user.org_id, lists.page_number(params, "waiting_page")),
        "recent": recent_publications(session, user.org_id),
        "heartbeat": read_heartbeat(session, request.app.state.settings.dispatch_interval_seconds),
        "figures": figures, "chart_data": chart_data,
        "missing_years": missing_years(session, org_id=user.org_id),
        "query": dict(params), "page_url": lists.page_url,
    })  # fmt: skip
