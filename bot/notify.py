"""Delivering `Notification` rows: WeCom cards/texts or official-account template messages.

`deliver_pending(engine, settings, limit)` is called right after each chat reply and periodically by
the scheduler. Each row is claimed with a compare-and-set (pending → sending), so two processes never
send one notification twice; a failed send goes back to pending until MAX_ATTEMPTS, then failed.
Users bound to neither channel are marked skipped (they read it in the web UI).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from requests import RequestException
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from wechatpy.exceptions import WeChatClientException

from bot import messages
from bot.dblock import writer_lock
from bot.wechat import api
from bot.wechat.clients import mp_client, wecom_client
from content.models import Item, Notification, Review, ReviewStep, User
from content.preview import preview_path
from content.timeutil import utcnow

if TYPE_CHECKING:
    from app.settings import Settings

log = logging.getLogger("gongkai.bot.notify")
MAX_ATTEMPTS = 5
DEFAULT_MP_TEMPLATE = "gongkai-review-notice"


class _Clients:
    """Clients built lazily, once per delivery run."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings
        self._wecom = self._mp = None

    @property
    def wecom(self):
        self._wecom = self._wecom or wecom_client(self.engine, self.settings)
        return self._wecom

    @property
    def mp(self):
        self._mp = self._mp or mp_client(self.engine, self.settings)
        return self._mp


def deliver_pending(engine: Engine, settings: Settings, limit: int = 50) -> dict[str, int]:
    counts = {"sent": 0, "failed": 0, "retry": 0, "skipped": 0}
    clients = _Clients(engine, settings)
    with writer_lock(engine), Session(engine) as session:
        ids = session.exec(select(Notification.id).where(Notification.state == "pending")
                           .order_by(Notification.id).limit(limit)).all()
    for note_id in ids:
        outcome = _deliver_one(engine, settings, clients, note_id)
        if outcome:
            counts[outcome] += 1
    return counts


def _deliver_one(engine: Engine, settings: Settings, clients: _Clients, note_id: int) -> str | None:
    # No transaction stays open during the network call (SQLite has one writer; the token cache and
    # other processes need the database meanwhile): claim, prepare, commit — send — record.
    with writer_lock(engine), Session(engine, expire_on_commit=False) as session:
        won = session.exec(update(Notification).where(Notification.id == note_id, Notification.state == "pending")
                           .values(state="sending", attempts=Notification.attempts + 1)).rowcount
        session.commit()
        if won != 1:
            return None
        note = session.get(Notification, note_id)
        user = session.get(User, note.user_id)
        item = session.get(Item, note.item_id) if note.item_id else None
        plan = _plan(session, settings, note, user, item)
        attempts = note.attempts
        session.commit()
    error = None
    try:
        outcome = _send(settings, clients, plan)
    except (WeChatClientException, RequestException) as exc:
        code = getattr(exc, "errcode", None)
        error = f"{code} {getattr(exc, 'errmsg', '') or type(exc).__name__}"[:500]
        outcome = "retry" if attempts < MAX_ATTEMPTS else "failed"
        log.warning("notification %s not delivered: %s", note_id, error)
    with writer_lock(engine), Session(engine) as session:
        session.exec(update(Notification).where(Notification.id == note_id).values(
            state={"retry": "pending"}.get(outcome, outcome), last_error=error,
            sent_at=utcnow() if outcome == "sent" else None))
        session.commit()
    return outcome


def _plan(session: Session, settings: Settings, note: Notification, user: User | None,
          item: Item | None) -> dict | None:
    """Everything needed to send, read from the database before any network call."""
    if user is None or not user.active or not (user.wecom_userid or user.mp_openid):
        return None
    card = _card(session, settings, note, item) if note.kind in ("review.pending", "review.reminder") else None
    return {"wecom": user.wecom_userid, "mp": user.mp_openid, "text": messages.text_for(note, item),
            "card": card, "item": item}


def _send(settings: Settings, clients: _Clients, plan: dict | None) -> str:
    if plan is None:
        return "skipped"
    card = plan["card"]
    if plan["wecom"]:
        if card is not None:
            api.send_template_card(clients.wecom, touser=plan["wecom"], card=card[0])
        else:
            api.send_text(clients.wecom, touser=plan["wecom"], content=plan["text"])
    else:
        template = settings.mp_template_id or DEFAULT_MP_TEMPLATE
        api.send_template_message(clients.mp, touser=plan["mp"], template_id=template,
                                  data=messages.mp_template_data(plan["text"], plan["item"]),
                                  url=card[1] if card else None)
    return "sent"


def _card(session: Session, settings: Settings, note: Notification, item: Item | None) -> tuple[dict, str] | None:
    """(card, preview URL) for the revision under review at this step."""
    if item is None:
        return None
    step = session.get(ReviewStep, note.step_id) if note.step_id else None
    review = session.get(Review, step.review_id) if step else None
    revision_id = review.revision_id if review else item.current_revision_id
    if revision_id is None:
        return None
    url = settings.public_url.rstrip("/") + preview_path(settings.secret_key.get_secret_value(),
                                                          item_id=item.id, revision_id=revision_id)
    return messages.review_card(note, item, preview_url=url, revision_id=revision_id), url


def update_cards(engine: Engine, settings: Settings, updates: list[tuple[str, str, str]]) -> None:
    """After a tap: replace the card's buttons with the decision ("已同意", "已驳回", "已处理")."""
    if not updates:
        return
    client = wecom_client(engine, settings)
    for userid, response_code, label in updates:
        try:
            api.update_template_card(client, userids=[userid], response_code=response_code, replace_name=label)
        except (WeChatClientException, RequestException) as exc:
            log.warning("card update failed: %s", getattr(exc, "errcode", type(exc).__name__))
