"""MASSSENDJOBFINISH: the official account reports how a mass send (群发) ended.

The bot only records it, in the same table as PUBLISHJOBFINISH (`bot_publish_event`), under the publish
id `mass:<MsgID>` — the remote id the scheduler gave the mass-sent publication — so the scheduler's
`apply_publish_events` confirms or fails it exactly like a free publication. Status "send success" is
publish_status 0; anything else ("send fail", "err(…)") is 3 (常规失败), the raw event is kept.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.commands.context import Inbound
from bot.models import PublishEvent

log = logging.getLogger("gongkai.bot")
EVENT = "MASSSENDJOBFINISH"
PREFIX = "mass:"  # channels.mp.mp_mass.PREFIX
FAILED = 3


def _article_urls(raw: dict) -> list[str]:
    result = raw.get("ArticleUrlResult")
    result = result if isinstance(result, dict) else {}
    listing = result.get("ResultList")
    items = listing.get("item") if isinstance(listing, dict) else listing
    items = items if isinstance(items, list) else [items]
    return [i["ArticleUrl"] for i in items if isinstance(i, dict) and isinstance(i.get("ArticleUrl"), str)]


def record_mass_event(engine: Engine, inbound: Inbound) -> None:
    msg_id = inbound.raw.get("MsgID") or inbound.raw.get("MsgId")
    if not isinstance(msg_id, str) or not msg_id.strip():
        log.warning("MASSSENDJOBFINISH without a MsgID ignored")
        return
    status = inbound.raw.get("Status") if isinstance(inbound.raw.get("Status"), str) else ""
    ok = status.strip().lower() == "send success"
    if not ok:
        log.warning("mass send %s finished with status %r", msg_id, status[:50])
    with Session(engine) as session:
        session.add(PublishEvent(app_id=inbound.to, publish_id=(PREFIX + msg_id.strip())[:64],
                                 publish_status=0 if ok else FAILED, article_id=None,
                                 article_urls=_article_urls(inbound.raw), fail_idx=[], raw=inbound.raw))
        try:
            session.commit()
        except IntegrityError:  # a platform retry of the same event
            session.rollback()
