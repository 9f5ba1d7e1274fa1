"""Delivering `Notification` rows: WeCom cards/texts or official-account template messages.

`deliver_pending(engine, settings, limit)` is called right after each chat reply and periodically by
the scheduler. Users bound to neither channel are marked skipped (they read it in the web UI).

Claims and leases. A row is claimed with a compare-and-set (pending → sending, attempts + 1,
`claimed_until` = now + lease), so two processes never deliver one notification at once. The claim is
identified by (id, attempts): every later write of that delivery is guarded by `state = 'sending' AND
attempts = <claimed>`, so a process whose lease ran out and was taken over records nothing. A `sending`
row whose lease has passed (its process died or hung) is claimable again, exactly like a pending one;
rows left in `sending` before leases existed (`claimed_until` NULL) count as expired. A failed send goes
back to pending until MAX_ATTEMPTS, then failed; a row whose lease expired on its last attempt fails.

Per-step progress. A delivery is a list of steps (today one: the WeCom message or the official-account
template message). Each step's answer (msgid) is stored in `Notification.progress` as soon as it returns
(the last step's together with the final state), and a resumed delivery skips every step with a stored
answer. A claim that has been held for more than FRESH_SECONDS re-checks ownership (and extends the
lease) before each step, so a process that was paused past its lease stops instead of sending.

What remains at-least-once: WeCom `message/send` and `message/template/send` are not idempotent and
cannot be queried afterwards. If a process dies after the platform accepted a step but before that step's
answer was committed (one HTTP response plus one UPDATE), the resumed delivery sends the step again and the
person may read the same message twice. Nothing is lost, and nothing is sent twice otherwise.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from requests import RequestException
from sqlalchemy import and_, bindparam, func, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from wechatpy.exceptions import WeChatClientException

from bot import messages
from bot.wechat import api
from bot.wechat.clients import mp_client, wecom_client
from content.db.db import is_postgres
from content.models import Item, Notification, Review, ReviewStep, User
from content.models.notification import NotificationKind
from content.preview import preview_path
from content.timeutil import utcnow

if TYPE_CHECKING:
    from content.settings import Settings

log = logging.getLogger("gongkai.bot.notify")
MAX_ATTEMPTS = 5
DEFAULT_MP_TEMPLATE = "gongkai-review-notice"
LEASE_SECONDS = 120.0  # well above one send: client timeout 10 s, one token refresh and one retry
FRESH_SECONDS = 5.0
# kinds shown as a WeCom card with 同意/驳回 buttons (the rest are one text line, bot/messages.py)
_CARD_KINDS = (NotificationKind.REVIEW_PENDING, NotificationKind.REVIEW_REMINDER)


class _Clients:
    """Clients built lazily and kept for the life of the process (see `clients_for`): their HTTP
    connections stay open between deliveries and they remember the access token."""

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


_clients: weakref.WeakKeyDictionary[Engine, _Clients] = weakref.WeakKeyDictionary()
_clients_guard = threading.Lock()


def clients_for(engine: Engine, settings: Settings) -> _Clients:
    """This process's clients for this engine and settings (new settings get new clients)."""
    with _clients_guard:
        clients = _clients.get(engine)
        if clients is None or clients.settings is not settings:
            clients = _clients[engine] = _Clients(engine, settings)
        return clients


@dataclass
class Claim:
    """One process's hold on one notification (see the module docstring)."""

    note_id: int
    attempts: int
    plan: dict | None
    progress: dict[str, Any]
    lease_seconds: float = LEASE_SECONDS
    taken_at: float = field(default_factory=time.monotonic)

    @property
    def todo(self) -> list[str]:
        return [step for step in steps(self.plan) if step not in self.progress]


def steps(plan: dict | None) -> list[str]:
    if plan is None:
        return []
    return ["wecom"] if plan["wecom"] else ["mp"]


def claimable(now: datetime):
    expired = and_(Notification.state == "sending",
                   or_(col(Notification.claimed_until).is_(None), Notification.claimed_until < now))
    return or_(Notification.state == "pending", expired)


def deliver_pending(engine: Engine, settings: Settings, limit: int = 50, *, now: datetime | None = None,
                    lease_seconds: float = LEASE_SECONDS, pause: Callable[[], Any] | None = None) -> dict[str, int]:
    """Claim up to `limit` rows in one transaction, then send them one by one.

    `now` (tests) fixes the clock of the claim. While the batch is being sent, the leases of the rows
    still waiting are renewed together (one UPDATE every FRESH_SECONDS), so a long batch keeps full
    leases; a row another process took over meanwhile is dropped unsent ("lost"). `pause`, when given,
    is called before each send and may block: the web process uses it to let waiting chat callbacks
    go first (see bot.callbacks.after_reply).
    """
    counts = {"sent": 0, "failed": 0, "retry": 0, "skipped": 0}
    clients = clients_for(engine, settings)
    batch, closed = claim_batch(engine, settings, limit=limit, now=now, lease_seconds=lease_seconds)
    for outcome, n in closed.items():
        counts[outcome] += n
    for i, held in enumerate(batch):
        if pause is not None:
            pause()
        if not _renew(engine, batch[i:]):
            log.warning("notification %s: claim lost while waiting in a batch; not sent", held.note_id)
            counts["lost"] = counts.get("lost", 0) + 1
            continue
        outcome = deliver_claimed(engine, settings, held, clients)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def claim(engine: Engine, settings: Settings, note_id: int, *, now: datetime | None = None,
          lease_seconds: float = LEASE_SECONDS) -> Claim | None:
    """Claim one row for sending; None when it is not claimable or needed no send (skipped/failed)."""
    batch, _ = claim_batch(engine, settings, ids=[note_id], now=now, lease_seconds=lease_seconds)
    return batch[0] if batch else None


# Built once (statement construction costs more than executing them on SQLite): every callback's
# after-reply delivery runs these. `now`, `limit` and the expanding `ids` are bound per call.
_CANDIDATES = (select(Notification.id, Notification.state, Notification.attempts, User.active, User.wecom_userid,
                      User.mp_openid)
               .outerjoin(User, User.id == Notification.user_id).where(claimable(bindparam("now")))
               .order_by(Notification.id).limit(bindparam("limit")))
_CANDIDATES_OF = _CANDIDATES.where(col(Notification.id).in_(bindparam("ids", expanding=True)))
_LOCKED = {False: _CANDIDATES.with_for_update(of=Notification, skip_locked=True),  # PostgreSQL
           True: _CANDIDATES_OF.with_for_update(of=Notification, skip_locked=True)}


def _cas(**values: Any):
    """Compare-and-set of the claimable rows among `ids` (attempts + 1), returning {id: new attempts}."""
    return (update(Notification).where(col(Notification.id).in_(bindparam("ids", expanding=True)),
                                       claimable(bindparam("now")))
            .values(attempts=Notification.attempts + 1, **values)
            .returning(Notification.id, Notification.attempts)
            .execution_options(synchronize_session=False))


_TAKE = {
    "failed": _cas(state="failed", claimed_until=None,
                   last_error=func.coalesce(func.nullif(Notification.last_error, ""), "投递多次中断，已停止重试")),
    "skipped": _cas(state="skipped", claimed_until=None, last_error=None, sent_at=None),
    "sending": _cas(state="sending", claimed_until=bindparam("until")),
}


def claim_batch(engine: Engine, settings: Settings, *, limit: int = 50, ids: list[int] | None = None,
                now: datetime | None = None, lease_seconds: float = LEASE_SECONDS
                ) -> tuple[list[Claim], dict[str, int]]:
    """One transaction: take the claimable rows (pending, or sending with an expired lease), close those
    that need no network call, and claim the rest with one compare-and-set; read what the sends need.

    Closed at once: rows whose user is bound to neither channel (skipped) and rows whose last lease
    expired on the last attempt (failed). Every UPDATE keeps the `claimable` guard and RETURNING names
    the rows it changed, so two processes never take one row. No transaction stays open during the
    network calls (SQLite has one writer; the token cache and other processes need the database).
    """
    now = now or utcnow()
    closed = {"skipped": 0, "failed": 0}
    with Session(engine, expire_on_commit=False) as session:
        params: dict[str, Any] = {"now": now, "limit": limit}
        if ids is not None:
            params["ids"] = list(ids)
        query = _LOCKED[ids is not None] if is_postgres(session) else (_CANDIDATES if ids is None else _CANDIDATES_OF)
        rows = session.connection().execute(query, params).all()
        if not rows:
            return [], closed
        exhausted = [r.id for r in rows if r.attempts >= MAX_ATTEMPTS]  # its last lease expired
        unbound = [r.id for r in rows if r.attempts < MAX_ATTEMPTS and not (r.active and (r.wecom_userid or r.mp_openid))]
        sendable = [r.id for r in rows if r.attempts < MAX_ATTEMPTS and r.id not in set(unbound)]
        closed["failed"] = len(_take(session, "failed", exhausted, now))
        closed["skipped"] = len(_take(session, "skipped", unbound, now))
        won = _take(session, "sending", sendable, now, until=now + timedelta(seconds=lease_seconds))
        if won:
            notes = session.exec(select(Notification).where(col(Notification.id).in_(list(won)))
                                 .order_by(Notification.id)).all()
            item_ids = {n.item_id for n in notes if n.item_id}
            items = {i.id: i for i in session.exec(select(Item).where(col(Item.id).in_(item_ids)))} if item_ids else {}
            users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_({n.user_id for n in notes})))}
            step_ids = {n.step_id for n in notes if n.step_id}
            revisions = dict(session.exec(  # the revision each step reviews: what its card must link to
                select(ReviewStep.id, Review.revision_id).join(Review, Review.id == ReviewStep.review_id)
                .where(col(ReviewStep.id).in_(step_ids))).all()) if step_ids else {}
        session.commit()  # the plans are built after it: SQLite's writer lock is held for the reads only
    if not won:
        return [], closed
    resumed = {r.id for r in rows if r.state == "sending"}
    batch: list[Claim] = []
    for note in notes:
        if note.id in resumed:
            log.warning("notification %s: resuming after an expired claim (attempt %s)", note.id, won[note.id])
        item = items.get(note.item_id)
        revision_id = revisions.get(note.step_id) or (item.current_revision_id if item else None)
        plan = _plan(settings, note, users.get(note.user_id), item, revision_id)
        batch.append(Claim(note.id, won[note.id], plan, dict(note.progress or {}), lease_seconds))
    return batch, closed


def _take(session: Session, outcome: str, ids: list[int], now: datetime, **params: Any) -> dict[int, int]:
    if not ids:
        return {}
    return dict(session.connection().execute(_TAKE[outcome], {"ids": ids, "now": now, **params}).tuples().all())


def _renew(engine: Engine, waiting: list[Claim]) -> bool:
    """Extend the leases of a batch's waiting claims once the first is stale; True if the first still holds.

    One guarded UPDATE for all of them: each row only if it is still (sending, the claimed attempt).
    """
    first = waiting[0]
    if time.monotonic() - first.taken_at < FRESH_SECONDS:
        return True
    with Session(engine) as session:
        guard = or_(*(and_(Notification.id == h.note_id, Notification.attempts == h.attempts) for h in waiting))
        kept = set(session.execute(
            update(Notification).where(Notification.state == "sending", guard)
            .values(claimed_until=utcnow() + timedelta(seconds=first.lease_seconds))
            .returning(Notification.id).execution_options(synchronize_session=False)).scalars().all())
        session.commit()
    at = time.monotonic()
    for held in waiting:
        if held.note_id in kept:
            held.taken_at = at
    return first.note_id in kept


def _guarded(*columns: str):
    """UPDATE of the given columns of one claimed row, only while the claim holds (bound per call)."""
    return (update(Notification)
            .where(Notification.id == bindparam("note_id"), Notification.state == "sending",
                   Notification.attempts == bindparam("claimed"))
            .values({name: bindparam(name) for name in columns}))


# Built once, like the claim statements above: these run after every send.
_LEASE = _guarded("claimed_until")
_PROGRESS = _guarded("progress")
_OUTCOME = _guarded("progress", "state", "last_error", "sent_at", "claimed_until")


def _guarded_update(engine: Engine, held: Claim, stmt, **values: Any) -> bool:
    """One UPDATE of this claim's row, only while the claim holds; True if it did. A plain Core
    statement on its own connection: no ORM unit of work for a one-row write after every send."""
    with engine.begin() as conn:
        return conn.execute(stmt, {"note_id": held.note_id, "claimed": held.attempts, **values}).rowcount == 1


def _still_mine(engine: Engine, held: Claim) -> bool:
    """Extend the lease if this process still holds the claim (after a pause: see FRESH_SECONDS)."""
    if time.monotonic() - held.taken_at < FRESH_SECONDS:
        return True
    ok = _guarded_update(engine, held, _LEASE, claimed_until=utcnow() + timedelta(seconds=held.lease_seconds))
    held.taken_at = time.monotonic()
    return ok


def deliver_claimed(engine: Engine, settings: Settings, held: Claim, clients: _Clients | None = None) -> str:
    """Send the steps not yet done; returns sent | retry | failed | skipped | lost."""
    clients = clients or clients_for(engine, settings)
    if held.plan is None:
        return _record(engine, held, "skipped", None)
    todo = held.todo
    for n, step in enumerate(todo):
        if not _still_mine(engine, held):
            log.warning("notification %s: claim lost before step %s; not sent", held.note_id, step)
            return "lost"
        try:
            answer = _send_step(settings, clients, held.plan, step)
        except (WeChatClientException, RequestException) as exc:
            code = getattr(exc, "errcode", None)
            error = f"{code} {getattr(exc, 'errmsg', '') or type(exc).__name__}"[:500]
            log.warning("notification %s not delivered: %s", held.note_id, error)
            return _record(engine, held, "retry" if held.attempts < MAX_ATTEMPTS else "failed", error)
        held.progress[step] = {"msgid": str(answer.get("msgid") or ""), "at": utcnow().isoformat()}
        if n < len(todo) - 1 and _record(engine, held, None, None) == "lost":  # store it before the next
            return "lost"
    return _record(engine, held, "sent", None)


def _record(engine: Engine, held: Claim, outcome: str | None, error: str | None) -> str:
    """Store the progress (and, unless outcome is None, the final state) if the claim still holds."""
    values: dict[str, Any] = {"progress": dict(held.progress)}
    if outcome is not None:
        values.update(state={"retry": "pending"}.get(outcome, outcome), last_error=error,
                      sent_at=utcnow() if outcome == "sent" else None, claimed_until=None)
    if not _guarded_update(engine, held, _PROGRESS if outcome is None else _OUTCOME, **values):
        log.warning("notification %s: claim lost before recording %s", held.note_id, outcome or "a step")
        return "lost"
    return outcome or "progress"


def _plan(settings: Settings, note: Notification, user: User | None, item: Item | None,
          revision_id: int | None) -> dict | None:
    """Everything needed to send, from what the claim read (no database access, no network)."""
    if user is None or not user.active or not (user.wecom_userid or user.mp_openid):
        return None
    card = None
    if note.kind in _CARD_KINDS and item is not None and revision_id is not None:
        card = _card(settings, note, item, revision_id)
    return {"wecom": user.wecom_userid, "mp": user.mp_openid, "text": messages.text_for(note, item),
            "card": card, "item": item}


def _send_step(settings: Settings, clients: _Clients, plan: dict, step: str) -> dict:
    card = plan["card"]
    if step == "wecom":
        if card is not None:
            return api.send_template_card(clients.wecom, touser=plan["wecom"], card=card[0])
        return api.send_text(clients.wecom, touser=plan["wecom"], content=plan["text"])
    template = settings.mp_template_id or DEFAULT_MP_TEMPLATE
    return api.send_template_message(clients.mp, touser=plan["mp"], template_id=template,
                                     data=messages.mp_template_data(plan["text"], plan["item"]),
                                     url=card[1] if card else None)


def _card(settings: Settings, note: Notification, item: Item, revision_id: int) -> tuple[dict, str]:
    """(card, preview URL) for the revision under review at this step."""
    url = settings.public_url.rstrip("/") + preview_path(settings.secret_key.get_secret_value(),
                                                          item_id=item.id, revision_id=revision_id)
    return messages.review_card(note, item, preview_url=url, revision_id=revision_id), url


def update_cards(engine: Engine, settings: Settings, updates: list[tuple[str, str, str]]) -> None:
    """After a tap: replace the card's buttons with the decision ("已同意", "已驳回", "已处理")."""
    if not updates:
        return
    client = clients_for(engine, settings).wecom
    for userid, response_code, label in updates:
        try:
            api.update_template_card(client, userids=[userid], response_code=response_code, replace_name=label)
        except (WeChatClientException, RequestException) as exc:
            log.warning("card update failed: %s", getattr(exc, "errcode", type(exc).__name__))
