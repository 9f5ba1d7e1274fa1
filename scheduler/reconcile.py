"""Leases that ran out, rows in `unknown`, and `sent` rows waiting for the channel's confirmation.

A row still `claimed` after its lease means its process died (or hung) mid-send: it may or may not
have reached the channel, so it becomes `unknown`, and the channel is asked (`reconcile`) before
anything is sent again. `absent` puts it back to `pending` with its stored progress, so a
multi-step channel resumes at the step after the last one it recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from channels.base import ChannelAdapter, ChannelError, ChannelRegistry, RemoteState, RemoteStatus
from content import audit
from content.db.db import session_scope
from content.models import Publication, Revision
from content.models.ids import pk
from content.timeutil import utcnow
from scheduler import outbox
from scheduler.dispatch import build_job
from scheduler.outbox import ACTOR, OutboxConfig

log = logging.getLogger("gongkai.scheduler.reconcile")
P = outbox.P


def reap_expired(engine: Engine, cfg: OutboxConfig, now: datetime | None = None) -> int:
    """claimed rows whose lease has run out → unknown."""
    now = now or utcnow()
    count = 0
    with session_scope(engine) as s:
        rows = s.exec(select(Publication)
                      .where(col(Publication.state) == P.claimed, col(Publication.claimed_until) < now)
                      .limit(cfg.batch_size)).all()  # fmt: skip
        for pub in rows:
            expect = {"state": P.claimed, "claimed_by": pub.claimed_by, "claimed_until": pub.claimed_until}
            holder = pub.claimed_by
            if outbox.mark_unknown(s, pub, expect, error=f"租约已过期（{holder}），需向渠道核实"):
                log.warning("publication %s: lease of %s expired, reconciling", pub.id, holder)
                count += 1
    return count


def _apply(
    engine: Engine,
    cfg: OutboxConfig,
    pub_id: int,
    expected_state: str,
    found: RemoteState,
    adapter: ChannelAdapter,
) -> str:
    with session_scope(engine) as s:
        pub = s.get(Publication, pub_id)
        if pub is None or pub.state != expected_state:
            return "lost"
        expect = {"state": expected_state}
        if found.status in (RemoteStatus.published, RemoteStatus.in_flight):
            confirmed = found.status is RemoteStatus.published
            if expected_state == P.sent:  # already sent: only a finished publication changes anything
                if not confirmed:
                    return "in_flight"
                ok = outbox.mark_confirmed(s, pub, remote_id=found.remote_id, remote_url=found.remote_url)
            else:
                ok = outbox.mark_sent(s, pub, expect, remote_id=found.remote_id, remote_url=found.remote_url,
                                      confirmed=confirmed, cfg=cfg)
            if not ok:
                return "lost"
            return "confirmed" if confirmed else "sent"
        if found.status is RemoteStatus.failed:
            ok = outbox.mark_failed(s, pub, expect, reason=found.reason or f"{adapter.label}发布失败")
            return "failed" if ok else "lost"
        # absent: safe to send again, resuming from the stored progress
        if outbox._cas(
            s, pk(pub), expect, state=P.pending, next_attempt_at=None, claimed_by=None, claimed_until=None
        ):
            audit.record(
                s,
                org_id=pub.org_id,
                action="publication.reconciled",
                target_type="publication",
                target_id=pub.id,
                actor_label=ACTOR,
                channel=pub.channel,
                found="absent",
            )
            return "requeued"
        return "lost"


def _each(
    engine: Engine,
    registry: ChannelRegistry,
    cfg: OutboxConfig,
    state: str,
    ask: Callable[[ChannelAdapter], Callable],
    only_confirming: bool = False,
    now: datetime | None = None,
) -> dict[str, int]:
    now = now or utcnow()
    outcomes: dict[str, int] = {}
    with session_scope(engine) as s:
        query = select(Publication).where(Publication.state == state)
        if state == P.sent:  # polling pace: next_attempt_at is the next time to ask
            query = query.where(
                (col(Publication.next_attempt_at).is_(None)) | (col(Publication.next_attempt_at) <= now)
            )
        pubs = s.exec(query.order_by(col(Publication.id)).limit(cfg.batch_size)).all()
        jobs = []
        for pub in pubs:
            adapter = registry.get(pub.channel)
            if adapter is None or (only_confirming and not adapter.needs_confirmation):
                continue
            rev = s.get(Revision, pub.revision_id)
            if rev is None:  # revisions are never deleted; a row without one cannot be asked about
                log.error("publication %s: its revision %s is gone", pub.id, pub.revision_id)
                continue
            jobs.append((pk(pub), adapter, build_job(engine, cfg, s, pub, rev, track_lease=False)))
    for pub_id, adapter, job in jobs:
        try:
            found = ask(adapter)(job)
        except ChannelError as exc:
            log.info("publication %s: %s could not answer (%s)", pub_id, adapter.name, exc.message)
            outcome = "unanswered"
        else:
            outcome = _apply(engine, cfg, pub_id, state, found, adapter)
        if state == P.sent and outcome in ("in_flight", "unanswered"):
            with session_scope(engine) as s:
                outbox._cas(
                    s,
                    pub_id,
                    {"state": P.sent},
                    next_attempt_at=utcnow() + timedelta(seconds=cfg.retry_base_seconds or 0),
                )
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def reconcile_unknown(engine: Engine, registry: ChannelRegistry, cfg: OutboxConfig) -> dict[str, int]:
    """Ask each channel about every `unknown` row; never sends anything."""
    return _each(engine, registry, cfg, P.unknown, lambda a: a.reconcile)


def confirm_sent(
    engine: Engine, registry: ChannelRegistry, cfg: OutboxConfig, now: datetime | None = None
) -> dict[str, int]:
    """Poll channels that confirm later (the official account's freepublish/get)."""
    return _each(engine, registry, cfg, P.sent, lambda a: a.check, only_confirming=True, now=now)
