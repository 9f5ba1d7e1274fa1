"""统计 [年份]: this year's counts per state and per channel (plain SQL counts)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from bot.commands.context import ChatContext
from bot.commands.parse import Command
from bot.commands.router import Router
from content.models import CHANNEL_LABELS, PUBLICATION_STATE_LABELS, STATE_LABELS, Item, Publication
from content.timeutil import local, year_bounds_utc

router = Router("stats")


@router.command("统计", "年度统计", "报表")
def tally(ctx: ChatContext, cmd: Command) -> str:
    year = cmd.number if cmd.number and 2000 <= cmd.number <= 2100 else local(ctx.now).year
    start, end = year_bounds_utc(year)
    org = ctx.user.org_id
    by_state = ctx.session.exec(
        select(Item.state, func.count()).where(Item.org_id == org, Item.created_at >= start, Item.created_at < end)
        .group_by(Item.state)
    ).all()
    by_channel = ctx.session.exec(
        select(Publication.channel, Publication.state, func.count())
        .where(Publication.org_id == org, Publication.created_at >= start, Publication.created_at < end)
        .group_by(Publication.channel, Publication.state)
    ).all()
    total = sum(n for _, n in by_state)
    lines = [f"{year} 年稿件 {total} 件"]
    if by_state:
        lines.append("按状态：" + "，".join(f"{STATE_LABELS.get(s, s)} {n}" for s, n in sorted(by_state)))
    if by_channel:
        lines.append("按渠道：" + "，".join(
            f"{CHANNEL_LABELS.get(c, c)}{PUBLICATION_STATE_LABELS.get(s, s)} {n}" for c, s, n in sorted(by_channel)))
    return "\n".join(lines)
