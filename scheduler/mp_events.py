"""Hand-off from the bot: PUBLISHJOBFINISH events it stored in `bot_publish_event`.

The bot receives the event on `/wechat/mp` and only records it; this module applies each event to
the official-account Publication whose `remote_id` is the event's publish_id (set at
`freepublish/submit`), and marks the event consumed with a compare-and-set, so two schedulers apply
it once. Events for unknown publish ids (published by hand in the MP backend) are consumed as-is.
"""

from __future__ import annotations

import logging

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.models import PublishEvent
from channels.mp.mp_status import status_reason
from content.db.db import session_scope
from content.models import Publication
from content.timeutil import utcnow
from scheduler import outbox
from scheduler.outbox import OutboxConfig

log = logging.getLogger("gongkai.scheduler.mp")


def apply_publish_events(engine: Engine, cfg: OutboxConfig) -> int:
    applied = 0
    with session_scope(engine) as s:
        events = s.exec(
            select(PublishEvent).where(col(PublishEvent.consumed_at).is_(None)).limit(cfg.batch_size)
        ).all()
        for ev in events:
            won = s.exec(
                update(PublishEvent)
                .where(col(PublishEvent.id) == ev.id, col(PublishEvent.consumed_at).is_(None))
                .values(consumed_at=utcnow())
            ).rowcount
            if won != 1 or ev.publish_status == 1:
                continue
            pub = s.exec(
                select(Publication).where(
                    Publication.channel == "mp",
                    Publication.remote_id == ev.publish_id,
                    Publication.state == "sent",
                )
            ).first()
            if pub is None:
                continue
            if ev.publish_status == 0:
                url = ev.article_urls[0] if ev.article_urls else None
                pub.progress = {**(pub.progress or {}), "publish": {"status": 0, "article_id": ev.article_id}}
                outbox.mark_confirmed(s, pub, remote_id=ev.article_id, remote_url=url)
            else:
                outbox.mark_failed(
                    s, pub, {"state": "sent"}, reason=status_reason(ev.publish_status, ev.fail_idx)
                )
            applied += 1
    return applied
