"""The publication outbox: claiming due rows with a lease, and every state transition after it.

Claiming is a portable compare-and-set, `UPDATE publication SET state='claimed' … WHERE id=:id AND
state='pending'`: the process whose UPDATE changes one row owns the row until `claimed_until`. On
PostgreSQL the candidate batch is read with `FOR UPDATE SKIP LOCKED`, so concurrent schedulers take
disjoint batches instead of racing for the same rows. Catch-up is built in: every row with
`due_at <= now` is due, however long ago that was.

Each transition below is one transaction, guarded by the state (and the owner) it expects, with its
audit event inside that transaction. A guard that no longer holds (the lease expired and another
process reaped the row) changes nothing and returns False.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from content import audit
from content.db.db import is_postgres, session_scope
from content.db.rowbuffer import record_audit
from content.labels import channel_label
from content.models import Item, Publication, PublicationState
from content.models.ids import pk
from content.models.notification import NotificationKind
from content.notify import notify as notify_people
from content.timeutil import utcnow

log = logging.getLogger("gongkai.scheduler")
P = PublicationState
ACTOR = "scheduler"


@dataclass
class OutboxConfig:
    worker_id: str
    lease_seconds: float = 120.0
    batch_size: int = 100
    concurrency: int = 4
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 3600.0
    max_attempts: int = 12
    late_after_seconds: float = 60.0  # sent this long after due_at → logged as late (补发)


def _cas(session: Session, pub_id: int, expect: dict[str, Any], **values: Any) -> bool:
    """UPDATE publication SET values WHERE id=pub_id AND every expected column matches."""
    stmt = update(Publication).where(col(Publication.id) == pub_id)
    for name, value in expect.items():
        column = getattr(Publication, name)
        stmt = stmt.where(column.is_(None) if value is None else column == value)
    values.setdefault("updated_at", utcnow())
    return session.exec(stmt.values(**values)).rowcount == 1


def due_filter(now: datetime):
    return (
        col(Publication.state) == P.pending,
        col(Publication.due_at) <= now,
        or_(col(Publication.next_attempt_at).is_(None), col(Publication.next_attempt_at) <= now),
    )


def due_channels(engine: Engine, now: datetime | None = None) -> list[str]:
    """The channels that have due rows now (one dispatch lane each)."""
    with session_scope(engine) as s:
        return sorted(s.exec(select(Publication.channel).where(*due_filter(now or utcnow())).distinct()).all())


def claim_due(engine: Engine, cfg: OutboxConfig, now: datetime | None = None, *, channel: str | None = None) -> list[int]:
    """Claim up to `batch_size` due rows (of `channel` when given) for `cfg.worker_id`; returns the ids won."""
    now = now or utcnow()
    until = now + timedelta(seconds=cfg.lease_seconds)
    with session_scope(engine) as s:
        query = select(Publication.id, Publication.org_id).where(*due_filter(now))
        if channel is not None:
            query = query.where(Publication.channel == channel)
        query = query.order_by(col(Publication.due_at), col(Publication.id)).limit(cfg.batch_size)
        if is_postgres(s):
            query = query.with_for_update(skip_locked=True)
        org_of = dict(s.exec(query).all())
        if not org_of:
            return []
        # One compare-and-set for the whole batch: each row is still guarded by its own state, and
        # RETURNING names exactly the rows this statement changed (the ones this process won).
        claimed = s.execute(
            update(Publication)
            .where(col(Publication.id).in_(list(org_of)), col(Publication.state) == P.pending)
            .values(state=P.claimed, claimed_by=cfg.worker_id, claimed_until=until,
                    attempts=Publication.attempts + 1, updated_at=utcnow())
            .returning(col(Publication.id))
            .execution_options(synchronize_session=False)
        ).scalars().all()  # fmt: skip
        won = [pub_id for pub_id in org_of if pub_id is not None and pub_id in set(claimed)]
        if won:  # the audit events of the batch in one statement, same transaction
            audit.record_many(s, [
                audit.audit_row(org_id=org_of[pub_id], actor_label=ACTOR, action="publication.claimed",
                                target_type="publication", target_id=pub_id, worker=cfg.worker_id)
                for pub_id in won
            ])  # fmt: skip
    return won


def owned(cfg: OutboxConfig) -> dict[str, Any]:
    return {"state": P.claimed, "claimed_by": cfg.worker_id}


def save_progress(engine: Engine, cfg: OutboxConfig, pub_id: int, progress: dict) -> None:
    """Store one step's result and extend the lease; raises LeaseLost if the row is no longer ours."""
    with session_scope(engine) as s:
        until = utcnow() + timedelta(seconds=cfg.lease_seconds)
        if not _cas(s, pub_id, owned(cfg), progress=progress, claimed_until=until):
            raise LeaseLost(pub_id)


class LeaseLost(Exception):
    """The lease expired and another process took the row over; stop working on it."""


def _late_seconds(pub: Publication, now: datetime, cfg: OutboxConfig) -> float | None:
    late = (now - pub.due_at).total_seconds()
    return round(late, 1) if late > cfg.late_after_seconds else None


def mark_sent(
    s: Session,
    pub: Publication,
    expect: dict,
    *,
    remote_id: str | None,
    remote_url: str | None,
    confirmed: bool,
    cfg: OutboxConfig,
    now: datetime | None = None,
) -> bool:
    """claimed/unknown → sent (or straight to confirmed when the channel's answer is final)."""
    now = now or utcnow()
    first_send = pub.sent_at is None
    state = P.confirmed if confirmed else P.sent
    values: dict[str, Any] = dict(
        state=state,
        remote_id=remote_id,
        remote_url=remote_url,
        sent_at=pub.sent_at or now,
        claimed_by=None,
        claimed_until=None,
        last_error=None,
        next_attempt_at=None,
    )
    if confirmed:
        values["confirmed_at"] = now
    if not _cas(s, pk(pub), expect, **values):
        return False
    late = _late_seconds(pub, now, cfg) if first_send else None
    if late is not None:
        log.warning(
            "补发：发布 #%s（稿件 #%s，%s）比预定时间晚了 %.0f 秒", pub.id, pub.item_id, pub.channel, late
        )
    if first_send:
        record_audit(
            s,
            org_id=pub.org_id,
            action="publication.sent",
            target_type="publication",
            target_id=pub.id,
            actor_label=ACTOR,
            item_id=pub.item_id,
            channel=pub.channel,
            remote_id=remote_id,
            late_seconds=late,
        )
    if confirmed:
        _confirmed(s, pub, remote_url)
    return True


def mark_confirmed(s: Session, pub: Publication, *, remote_id: str | None, remote_url: str | None) -> bool:
    """sent → confirmed (the channel reported the publication finished)."""
    ok = _cas(
        s,
        pk(pub),
        {"state": P.sent},
        state=P.confirmed,
        confirmed_at=utcnow(),
        remote_id=remote_id or pub.remote_id,
        remote_url=remote_url or pub.remote_url,
    )
    if ok:
        _confirmed(s, pub, remote_url or pub.remote_url)
    return ok


def _confirmed(s: Session, pub: Publication, remote_url: str | None) -> None:
    record_audit(
        s,
        org_id=pub.org_id,
        action="publication.confirmed",
        target_type="publication",
        target_id=pub.id,
        actor_label=ACTOR,
        item_id=pub.item_id,
        channel=pub.channel,
        url=remote_url,
    )
    s.flush()
    _maybe_mark_item_published(s, pub.item_id)


def _maybe_mark_item_published(s: Session, item_id: int) -> None:
    """The item is published once its first channel is confirmed (content.outbox.item_went_live)."""
    from content.outbox import item_went_live

    item_went_live(s, item_id)


def retry_later(
    s: Session,
    pub: Publication,
    expect: dict,
    *,
    error: str,
    cfg: OutboxConfig,
    retry_after: float | None = None,
    now: datetime | None = None,
) -> bool:
    """Back to pending with exponential backoff; past `max_attempts` it becomes a failure."""
    if pub.attempts >= cfg.max_attempts:
        return mark_failed(s, pub, expect, reason=f"{error}（已尝试 {pub.attempts} 次）")
    now = now or utcnow()
    delay = (
        retry_after
        if retry_after is not None
        else min(cfg.retry_max_seconds, cfg.retry_base_seconds * 2 ** max(0, pub.attempts - 1))
    )
    ok = _cas(
        s,
        pk(pub),
        expect,
        state=P.pending,
        claimed_by=None,
        claimed_until=None,
        last_error=error,
        next_attempt_at=now + timedelta(seconds=delay),
    )
    if ok:
        record_audit(
            s,
            org_id=pub.org_id,
            action="publication.retry_scheduled",
            target_type="publication",
            target_id=pub.id,
            actor_label=ACTOR,
            channel=pub.channel,
            error=error,
            delay_seconds=delay,
        )
    return ok


def mark_unknown(s: Session, pub: Publication, expect: dict, *, error: str) -> bool:
    ok = _cas(s, pk(pub), expect, state=P.unknown, claimed_by=None, claimed_until=None, last_error=error)
    if ok:
        record_audit(
            s,
            org_id=pub.org_id,
            action="publication.unknown",
            target_type="publication",
            target_id=pub.id,
            actor_label=ACTOR,
            channel=pub.channel,
            error=error,
        )
    return ok


def mark_failed(
    s: Session, pub: Publication, expect: dict, *, reason: str, state: str = P.failed, notify: bool = True
) -> bool:
    """A permanent failure: recorded on the row (shown on the item), audited, drafter notified."""
    ok = _cas(
        s,
        pk(pub),
        expect,
        state=state,
        claimed_by=None,
        claimed_until=None,
        last_error=reason,
        next_attempt_at=None,
    )
    if not ok:
        return False
    record_audit(
        s,
        org_id=pub.org_id,
        action="publication.failed",
        target_type="publication",
        target_id=pub.id,
        actor_label=ACTOR,
        item_id=pub.item_id,
        channel=pub.channel,
        reason=reason,
    )
    item = s.get(Item, pub.item_id)
    if notify and item is not None:
        notify_people(s, item, [item.drafter_id], NotificationKind.PUBLICATION_FAILED,
                      channel=channel_label(pub.channel), target=pub.target, reason=reason)
    return True
