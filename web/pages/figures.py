"""This year's key figures for the dashboard charts, by SQL aggregation (no loops over rows)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from content.models import Category, Item, Publication
from content.timeutil import SHANGHAI, year_bounds_utc

PUBLISHED_STATES = ("published", "withdrawn", "archived")
CONFIRMED = ("sent", "confirmed", "withdraw_pending", "withdrawn")


def _month_bounds(year: int) -> list[datetime]:
    return [datetime(year + (m // 12), m % 12 + 1, 1, tzinfo=SHANGHAI) for m in range(13)]


def year_figures(session: Session, *, org_id: int, year: int) -> dict:
    start, end = year_bounds_utc(year)
    in_year = (Item.org_id == org_id, col(Item.published_at) >= start, col(Item.published_at) < end,
               col(Item.state).in_(PUBLISHED_STATES))
    bounds = _month_bounds(year)
    month_cols = [func.sum(case((col(Item.published_at) >= bounds[m], 1), else_=0)
                           - case((col(Item.published_at) >= bounds[m + 1], 1), else_=0)) for m in range(12)]
    row = session.exec(select(*month_cols).where(*in_year)).one()
    by_month = [int(v or 0) for v in row]

    topic_rows = session.exec(
        select(Category.name, func.count(col(Item.id)))
        .select_from(Item).join(Category, col(Item.topic_id) == col(Category.id), isouter=True)
        .where(*in_year).group_by(Category.name).order_by(func.count(col(Item.id)).desc())
    ).all()
    by_topic = [{"name": name or "未分类", "value": int(n)} for name, n in topic_rows]

    channel_rows = session.exec(
        select(Publication.channel, func.count(col(Publication.id)))
        .where(Publication.org_id == org_id, col(Publication.state).in_(CONFIRMED),
               col(Publication.sent_at) >= start, col(Publication.sent_at) < end)
        .group_by(Publication.channel)
    ).all()
    by_channel = [{"channel": ch, "value": int(n)} for ch, n in channel_rows]
    return {"year": year, "total": sum(by_month), "by_month": by_month, "by_topic": by_topic,
            "by_channel": by_channel}
