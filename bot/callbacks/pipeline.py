"""From one decrypted message to one reply: dedupe, find the bound user, dispatch, store the reply.

The dedupe row is written in the same transaction as the decision the message caused, under a unique
key, so a platform retry (or two racing copies) applies the decision once and gets the same reply.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.commands.context import AfterWork, ChatContext, Inbound
from bot.commands.dispatcher import DISPATCHER
from bot.models import InboundMessage, PublishEvent
from content.db.rowbuffer import model_row
from content.models import User
from content.timeutil import utcnow

if TYPE_CHECKING:
    from content.settings import Settings

log = logging.getLogger("gongkai.bot")
BUSY = "系统暂时无法处理，请稍后再试。"
FIELDS = {"sender": "FromUserName", "to": "ToUserName", "msg_type": "MsgType", "content": "Content",
          "event": "Event", "event_key": "EventKey", "create_time": "CreateTime", "msg_id": "MsgId",
          "response_code": "ResponseCode"}  # fmt: skip


def flatten(channel: str, inner: dict) -> Inbound | None:
    """Inbound from the parsed inner XML; None when a required field is missing or not text."""
    values = {name: inner.get(tag) for name, tag in FIELDS.items()}
    values = {k: (v if isinstance(v, str) else "") for k, v in values.items()}
    if not values["sender"] or not values["msg_type"]:
        return None
    return Inbound(channel=channel, raw=inner, **values)


# Built once: every callback runs both (building a statement costs about as much as running it).
_STORED = select(InboundMessage.reply).where(InboundMessage.channel == bindparam("channel"),
                                             InboundMessage.dedupe_key == bindparam("key"))
_INBOUND = insert(InboundMessage.__table__)  # Core on the session's connection: no ORM insert layer
_SENDER = {"wecom": select(User).where(User.wecom_userid == bindparam("sender")).limit(1),
           "mp": select(User).where(User.mp_openid == bindparam("sender")).limit(1)}


def _stored(session: Session, inbound: Inbound) -> str | None:
    """The reply stored for this message (a retry), or None when it is new. Reads the reply column only."""
    return session.connection().execute(_STORED, {"channel": inbound.channel, "key": inbound.dedupe_key}).scalar()


def _sender_user(session: Session, inbound: Inbound) -> User | None:
    query = _SENDER["wecom" if inbound.channel == "wecom" else "mp"]
    user = session.execute(query, {"sender": inbound.sender}).scalars().first()
    return user if user is not None and user.active else None


def process(engine: Engine, settings: Settings, inbound: Inbound) -> tuple[str | None, AfterWork]:
    if inbound.channel == "mp" and inbound.event.upper() == "PUBLISHJOBFINISH":
        record_publish_event(engine, inbound)
        return None, AfterWork()
    if inbound.channel == "mp" and inbound.event.upper() == "MASSSENDJOBFINISH":
        from bot.mass_events import record_mass_event  # 群发 finished (channels/mp/mp_mass.py)

        record_mass_event(engine, inbound)
        return None, AfterWork()
    with Session(engine, expire_on_commit=False) as session:
        stored = _stored(session, inbound)
        if stored is not None:
            return stored or None, AfterWork()
        user = _sender_user(session, inbound)
        ctx = ChatContext(session=session, engine=engine, settings=settings, inbound=inbound, user=user,
                          now=utcnow())
        try:
            reply = DISPATCHER.handle(ctx)
            owner = ctx.user or user
            session.connection().execute(_INBOUND, model_row(InboundMessage, {
                "org_id": owner.org_id if owner else None, "channel": inbound.channel,
                "dedupe_key": inbound.dedupe_key, "sender": inbound.sender, "user_id": owner.id if owner else None,
                "msg_type": inbound.msg_type[:40], "reply": reply or ""}))
            session.commit()
        except IntegrityError:
            session.rollback()  # a concurrent copy of this message won: answer what it answered
            stored = _stored(session, inbound)
            return (stored or None) if stored is not None else BUSY, AfterWork()
        except Exception:  # noqa: BLE001 - a bug must not become a platform retry storm or a 500
            session.rollback()
            log.exception("chat handler failed for a %s %s message", inbound.channel, inbound.msg_type)
            return BUSY, AfterWork()
    return reply, ctx.after


def record_publish_event(engine: Engine, inbound: Inbound) -> None:
    """Store PUBLISHJOBFINISH for the scheduler (table bot_publish_event); duplicates are ignored."""
    info = inbound.raw.get("PublishEventInfo")
    info = info if isinstance(info, dict) else {}
    try:
        status = int(str(info.get("publish_status", "")))
    except ValueError:
        log.warning("PUBLISHJOBFINISH without a valid publish_status ignored")
        return
    detail = info.get("article_detail") if isinstance(info.get("article_detail"), dict) else {}
    items = detail.get("item") or []
    items = items if isinstance(items, list) else [items]
    urls = [i.get("article_url") for i in items if isinstance(i, dict) and i.get("article_url")]
    fail_idx = info.get("fail_idx") or []
    fail_idx = fail_idx if isinstance(fail_idx, list) else [fail_idx]
    with Session(engine) as session:
        session.add(PublishEvent(app_id=inbound.to, publish_id=str(info.get("publish_id", ""))[:64],
                                 publish_status=status, article_id=info.get("article_id") or None,
                                 article_urls=urls, fail_idx=[str(i) for i in fail_idx], raw=inbound.raw))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
