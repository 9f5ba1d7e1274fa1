"""工作台: pending reviews, my drafts and rejections, scheduled posts, recent publications, figures."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlmodel import col, select

from content import workflow
from content.deps import SessionDep
from content.models import Item, Publication
from content.registers.holidays import missing_years
from content.store import list_items
from content.timeutil import local_today
from content.web.figures import year_figures
from content.web.heartbeat import read_heartbeat
from content.web.session import WebUserDep
from content.web.templating import channel_label, render

router = APIRouter()


def recent_publications(session, org_id: int, limit: int = 10) -> list[dict]:
    """The latest published or publishing items, each with one state per channel."""
    item_ids = session.exec(
        select(Publication.item_id).where(Publication.org_id == org_id)
        .group_by(Publication.item_id).order_by(col(Publication.item_id).desc()).limit(limit)
    ).all()
    if not item_ids:
        return []
    items = {i.id: i for i in session.exec(select(Item).where(col(Item.id).in_(item_ids)))}
    pubs = session.exec(select(Publication).where(col(Publication.item_id).in_(item_ids))
                        .order_by(Publication.id)).all()
    out = {i: {"item": items[i], "channels": []} for i in item_ids if i in items}
    for p in pubs:
        out[p.item_id]["channels"].append({"label": channel_label(p.channel), "state": p.state,
                                           "error": p.last_error, "url": p.remote_url})
    return list(out.values())


@router.get("/", name="web_dashboard")
def dashboard(request: Request, session: SessionDep, user: WebUserDep):
    mine = list_items(session, org_id=user.org_id, drafter_id=user.id, state=["draft", "rejected"], limit=20)
    waiting = list_items(session, org_id=user.org_id, state=["approved", "scheduled"], limit=20)
    incomplete = session.exec(select(Item).where(Item.org_id == user.org_id,
                                                 col(Item.review_incomplete).is_(True))).all()
    year = local_today().year
    figures = year_figures(session, org_id=user.org_id, year=year)
    chart_data = {
        "months": [f"{m}月" for m in range(1, 13)], "by_month": figures["by_month"],
        "by_topic": figures["by_topic"],
        "channels": [channel_label(c["channel"]) for c in figures["by_channel"]],
        "by_channel": [c["value"] for c in figures["by_channel"]],
    }  # fmt: skip
    return render(request, "dashboard.html", {
        "pending": workflow.pending_reviews(session, user=user),
        "mine": mine, "waiting": waiting, "incomplete": incomplete,
        "recent": recent_publications(session, user.org_id),
        "heartbeat": read_heartbeat(session),
        "figures": figures, "chart_data": chart_data,
        "missing_years": missing_years(session, org_id=user.org_id),
    })  # fmt: skip
