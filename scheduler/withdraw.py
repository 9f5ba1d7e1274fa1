"""撤稿: rows in `withdraw_pending` are deleted from their channel and set `withdrawn`, with the reason.

The row is leased (`claimed_by`/`claimed_until`, state unchanged) while its deletion runs, so two
schedulers never work on it at once. A row that was still `claimed` by a sender when the withdrawal
was requested keeps that sender's lease: it is only taken once the lease has run out, so a send that
completes meanwhile is deleted too (adapters look the post up by idempotency key when no remote id
was recorded).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from channels.base import ChannelError, ChannelRegistry, PermanentError
from content import audit
from content.db.db import session_scope
from content.models import Publication, Revision
from content.timeutil import utcnow
from scheduler import outbox
from scheduler.dispatch import build_job
from scheduler.outbox import ACTOR, OutboxConfig

log = logging.getLogger("gongkai.scheduler.withdraw")
P = outbox.P


def _claim(engine: Engine, cfg: OutboxConfig, now: datetime) -> list[int]:
    until = now + timedelta(seconds=cfg.lease_seconds)
    won = []
    with session_scope(engine) as s:
        rows = s.exec(
            select(Publication.id, Publication.claimed_until)
            .where(
                Publication.state == P.withdraw_pending,
                or_(col(Publication.claimed_until).is_(None), col(Publication.claimed_until) < now),
                or_(col(Publication.next_attempt_at).is_(None), col(Publication.next_attempt_at) <= now),
            )
            .limit(cfg.batch_size)
        ).all()
        for pub_id, old_until in rows:
            if pub_id is None:  # a primary key; never NULL
                continue
            expect = {"state": P.withdraw_pending, "claimed_until": old_until}
            if outbox._cas(s, pub_id, expect, claimed_by=cfg.worker_id, claimed_until=until):
                won.append(pub_id)
    return won


def process_withdrawals(
    engine: Engine, registry: ChannelRegistry, cfg: OutboxConfig, now: datetime | None = None
) -> dict[str, int]:
    now = now or utcnow()
    outcomes: dict[str, int] = {}
    for pub_id in _claim(engine, cfg, now):
        outcome = _withdraw_one(engine, registry, cfg, pub_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def _withdraw_one(engine: Engine, registry: ChannelRegistry, cfg: OutboxConfig, pub_id: int) -> str:
    expect = {"state": P.withdraw_pending, "claimed_by": cfg.worker_id}
    with session_scope(engine) as s:
        pub = s.get(Publication, pub_id)
        rev = s.get(Revision, pub.revision_id) if pub is not None else None
        if pub is None or rev is None:  # rows are never deleted; a lost race at worst
            log.error("publication %s: the row or its revision is gone, nothing to withdraw", pub_id)
            return "lost"
        reason = str((pub.progress or {}).get("withdraw_reason") or "撤稿")
        adapter = registry.get(pub.channel)
        channel = pub.channel
        job = build_job(engine, cfg, s, pub, rev, track_lease=False)
    error = None
    if adapter is None:
        error = f"发布渠道「{channel}」未配置，无法撤稿"
    else:
        try:
            adapter.withdraw(job, reason)
        except PermanentError as exc:
            error = exc.message
        except ChannelError as exc:
            with session_scope(engine) as s:
                outbox._cas(s, pub_id, expect, claimed_by=None, claimed_until=None, last_error=exc.message,
                            next_attempt_at=utcnow() + timedelta(seconds=cfg.retry_base_seconds))  # fmt: skip
            log.warning("publication %s: withdrawal will be retried: %s", pub_id, exc.message)
            return "retry"
    with session_scope(engine) as s:
        pub = s.get(Publication, pub_id)
        if pub is None:
            return "lost"
        if error:  # stays withdraw_pending for a person to resolve; the drafter is told
            outbox.mark_failed(s, pub, expect, reason=f"撤稿失败：{error}", state=P.withdraw_pending)
            later = utcnow() + timedelta(seconds=cfg.retry_max_seconds)  # not every pass: once an hour
            outbox._cas(s, pub_id, {"state": P.withdraw_pending}, next_attempt_at=later)
            return "failed"
        if not outbox._cas(s, pub_id, expect, state=P.withdrawn, claimed_by=None, claimed_until=None,
                           last_error=None, next_attempt_at=None):  # fmt: skip
            return "lost"
        audit.record(s, org_id=pub.org_id, action="publication.withdrawn", target_type="publication",
                     target_id=pub.id, actor_label=ACTOR, item_id=pub.item_id, channel=pub.channel,
                     remote_id=pub.remote_id, reason=reason)  # fmt: skip
    return "withdrawn"
