"""Items per disclosure channel for one org and one Asia/Shanghai year (SQL aggregation only).

For section 一 of the annual report (`annual/tally.py` calls `items_per_channel`) and the lobby
screen's key figures.
"""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from content.labels import CHANNEL_LABELS
from content.models import Publication
from content.models.channel_targets import BoardNotice
from content.models.item_channel import ChannelKind
from content.timeutil import year_bounds_utc

# Section 一's order (not ChannelKind's): portal, official account, groups, board.
CHANNEL_KEYS = tuple(ChannelKind(k).value for k in ("portal", "mp", "wecom_group", "board"))
CHANNEL_NAMES = CHANNEL_LABELS  # the one table (content.labels); kept for the lobby screen's import
WENT_OUT = ("confirmed",)
LATER_WITHDRAWN = ("withdraw_pending", "withdrawn")


def items_per_channel(session: Session, *, org_id: int, year: int, include_withdrawn: bool = True) -> dict[str, int]:
    """Items that went live on each channel during `year` (confirmed_at within the year: a row only sent,
    or failed, is not live and does not count).

    Keys: `portal`, `mp`, `wecom_group` (items posted to at least one group), `board` (items given a
    board notice), plus `wecom_group_posts` (messages: one per group and item) and `board_posted`
    (notices actually put up during the year, per the print queue). With `include_withdrawn` an item
    withdrawn later still counts: it was disclosed that year.
    """
    start, end = year_bounds_utc(year)
    states = WENT_OUT + LATER_WITHDRAWN if include_withdrawn else WENT_OUT
    rows = session.exec(
        select(Publication.channel, func.count(func.distinct(Publication.item_id)), func.count(Publication.id))
        .where(Publication.org_id == org_id, col(Publication.state).in_(states),
               Publication.confirmed_at >= start, Publication.confirmed_at < end)
        .group_by(Publication.channel)
    ).all()  # fmt: skip
    out = {key: 0 for key in CHANNEL_KEYS} | {"wecom_group_posts": 0, "board_posted": 0}
    for channel, items, posts in rows:
        if channel in out:
            out[channel] = int(items)
        if channel == ChannelKind.wecom_group:
            out["wecom_group_posts"] = int(posts)
    out["board_posted"] = int(session.exec(
        select(func.count(BoardNotice.id)).where(BoardNotice.org_id == org_id, BoardNotice.posted_at >= start,
                                                 BoardNotice.posted_at < end)
    ).one())  # fmt: skip
    return out
