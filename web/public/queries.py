"""What the public may see without logging in (lobby screen, feeds, public item page).

Only items in state `published` are ever returned: drafts, items in review, approved-but-not-yet-
out, withdrawn and archived items never are. This module is the single place that rule lives.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from annual.channel_figures import items_per_channel
from content.errors import NotFound
from content.models import Category, Item, Organization
from content.timeutil import local_today, year_bounds_utc

PUBLIC_STATE = "published"


def org_by_code(session: Session, code: str) -> Organization:
    org = session.exec(select(Organization).where(Organization.code == code)).first()
    if org is None:
        raise NotFound("org_not_found", "没有这个单位")
    return org


def topic_by_name(session: Session, *, org_id: int, name: str) -> Category:
    topic = session.exec(
        select(Category).where(Category.org_id == org_id, Category.taxonomy == "topic", Category.name == name)
    ).first()
    if topic is None:
        raise NotFound("topic_not_found", f"没有“{name}”这个栏目")
    return topic


def published_items(session: Session, *, org_id: int, topic_id: int | None = None, limit: int = 20) -> list[Item]:
    query = select(Item).where(Item.org_id == org_id, Item.state == PUBLIC_STATE)
    if topic_id is not None:
        query = query.where(Item.topic_id == topic_id)
    order = func.coalesce(Item.published_at, Item.updated_at)
    return list(session.exec(query.order_by(order.desc(), col(Item.id).desc()).limit(limit)))


def published_item(session: Session, *, org_id: int, item_id: int) -> Item:
    item = session.get(Item, item_id)
    if item is None or item.org_id != org_id or item.state != PUBLIC_STATE:
        raise NotFound("item_not_public", "该信息不存在或已撤回")
    return item


@dataclass
class KeyFigures:
    year: int
    published: int
    by_channel: dict[str, int]
    by_topic: list[tuple[str, int]]


def key_figures(session: Session, *, org_id: int, year: int | None = None) -> KeyFigures:
    """This year's figures for the lobby screen (live items only)."""
    year = year or local_today().year
    start, end = year_bounds_utc(year)
    in_year = (Item.org_id == org_id, Item.state == PUBLIC_STATE, Item.published_at >= start,
               Item.published_at < end)  # fmt: skip
    published = session.exec(select(func.count(Item.id)).where(*in_year)).one()
    topics = session.exec(
        select(Category.name, func.count(Item.id)).join(Item, Item.topic_id == Category.id)
        .where(*in_year).group_by(Category.name, Category.sort).order_by(Category.sort)
    ).all()  # fmt: skip
    return KeyFigures(
        year=year, published=int(published),
        by_channel=items_per_channel(session, org_id=org_id, year=year, include_withdrawn=False),
        by_topic=[(name, int(n)) for name, n in topics],
    )  # fmt: skip
