"""The dispatch job: claim due publications and send each through its channel adapter.

Before anything is sent, the approved content is verified: the revision must still be the item's
approved revision and its hash must equal the hash the approval signed (`Publication.content_hash`).
On a mismatch nothing is sent, the approval is voided (the item goes back to review) and the
drafter is told.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy import bindparam
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from channels.base import (
    ChannelRegistry,
    PermanentError,
    PublishJob,
    TransientError,
    UnknownOutcome,
)
from content.db.db import session_scope
from content.db.rowbuffer import action_rows
from content.models import Category, Item, Publication, Revision
from content.models.ids import pk
from content.store import content_hash
from scheduler import outbox
from scheduler.outbox import LeaseLost, OutboxConfig

log = logging.getLogger("gongkai.scheduler.dispatch")


@dataclass
class DispatchStats:
    claimed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str, n: int = 1) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + n

    def merge(self, other: DispatchStats) -> None:
        self.claimed += other.claimed
        for outcome, n in other.outcomes.items():
            self.count(outcome, n)


def dispatch_once(engine: Engine, registry: ChannelRegistry, cfg: OutboxConfig) -> DispatchStats:
    """One pass over every channel with due rows, one lane per channel at once; returns when all are done.

    The in-process and standalone schedulers use `Lanes` instead, which does not wait for a slow lane.
    """
    stats = DispatchStats()
    channels = outbox.due_channels(engine)
    if not channels:
        return stats
    with ThreadPoolExecutor(max_workers=len(channels), thread_name_prefix="lane") as lanes:
        futures = [lanes.submit(dispatch_channel, engine, registry, cfg, channel) for channel in channels]
        for future in futures:
            stats.merge(future.result())  # a crash in a lane propagates, as it would from one pass
    return stats


def dispatch_channel(engine: Engine, registry: ChannelRegistry, cfg: OutboxConfig, channel: str,
                     stop: threading.Event | None = None) -> DispatchStats:
    """One channel's lane: claim batches of its due rows and send them until none is left."""
    stats = DispatchStats()
    categories: dict[int, Category | None] = {}  # read once per pass: a handful of rows, shared by every post
    with ThreadPoolExecutor(max_workers=max(1, cfg.concurrency), thread_name_prefix=f"send-{channel}") as pool:
        while stop is None or not stop.is_set():
            ids = outbox.claim_due(engine, cfg, channel=channel)
            if not ids:
                break
            stats.claimed += len(ids)
            for outcome in pool.map(lambda pub_id: send_one(engine, registry, cfg, pub_id, categories), ids):
                stats.count(outcome)
            if len(ids) < cfg.batch_size:
                break
    return stats


class Lanes:
    """One dispatch lane per channel, each on its own thread: a hung portal never delays the official account.

    `kick()` (the dispatch job, every interval) starts a lane for each channel that has due rows and no
    lane running, and returns at once; a lane ends when its channel has nothing due.
    """

    def __init__(self, engine: Engine, registry: ChannelRegistry, cfg: OutboxConfig) -> None:
        self.engine, self.registry, self.cfg = engine, registry, cfg
        self._running: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def kick(self) -> list[str]:
        """Start the lanes that are due and idle; returns the channels started."""
        if self._stop.is_set():
            return []
        started = []
        for channel in outbox.due_channels(self.engine):
            with self._lock:
                lane = self._running.get(channel)
                if lane is not None and lane.is_alive():
                    continue
                lane = threading.Thread(target=self._run, args=(channel,), name=f"lane-{channel}", daemon=True)
                self._running[channel] = lane
                lane.start()
                started.append(channel)
        return started

    def _run(self, channel: str) -> None:
        try:
            stats = dispatch_channel(self.engine, self.registry, self.cfg, channel, self._stop)
        except Exception:  # a lane that fails must not stop the others; its rows stay leased and are reaped
            log.exception("dispatch lane %s failed", channel)
            return
        if stats.claimed:
            log.info("dispatch %s: %s", channel, stats.outcomes)

    def busy(self) -> list[str]:
        with self._lock:
            return sorted(ch for ch, lane in self._running.items() if lane.is_alive())

    def stop(self, timeout: float | None = None) -> None:
        """No new batches; wait for the sends in flight (a hung one ends at its client's timeout)."""
        self._stop.set()
        with self._lock:
            lanes = list(self._running.values())
        for lane in lanes:
            lane.join(timeout)


def content_hash_of(revision: Revision) -> str:
    """The revision's hash recomputed from its content (never the stored column: it is what we check)."""
    return content_hash(revision.content)


# The row to send with its item and revision, in one round trip.
_TO_SEND = (
    select(Publication, Item, Revision)
    .outerjoin(Item, col(Item.id) == col(Publication.item_id))
    .outerjoin(Revision, col(Revision.id) == col(Publication.revision_id))
    .where(Publication.id == bindparam("pub_id"))
)


def verify_content(s: Session, pub: Publication) -> tuple[Item | None, Revision | None, str | None]:
    """(item, revision, problem): problem is a Chinese reason when the approved content changed."""
    item, rev = s.get(Item, pub.item_id), s.get(Revision, pub.revision_id)  # no query when already loaded
    if item is None or rev is None:
        return item, rev, "稿件或版本不存在"
    if rev.content_hash != pub.content_hash or content_hash_of(rev) != pub.content_hash:
        return item, rev, "批准后的内容与发布时的内容不一致（内容指纹不符）"
    if item.approved_revision_id is not None and item.approved_revision_id != pub.revision_id:
        return item, rev, "稿件在批准后被修改，批准的版本已不是当前版本"
    return item, rev, None


def build_job(
    engine: Engine,
    cfg: OutboxConfig,
    s: Session,
    pub: Publication,
    rev: Revision,
    *,
    track_lease: bool = True,
    categories: dict[int, Category | None] | None = None,
) -> PublishJob:
    """`categories`: a cache of Category rows by id shared by the posts of one dispatch pass."""
    pub_id = pk(pub)
    content = dict(rev.content)
    topic_id = content.get("topic_id")
    if not topic_id:
        topic = None
    elif categories is None:
        topic = s.get(Category, topic_id)
    else:
        if topic_id not in categories:
            categories[topic_id] = s.get(Category, topic_id)
        topic = categories[topic_id]

    def _save(progress: dict) -> None:
        if track_lease:
            outbox.save_progress(engine, cfg, pub_id, progress)
        else:
            with session_scope(engine) as s2:
                outbox._cas(s2, pub_id, {}, progress=progress)

    return PublishJob(
        publication_id=pub_id, org_id=pub.org_id, item_id=pub.item_id, channel=pub.channel, target=pub.target,
        idempotency_key=pub.idempotency_key, content=content, progress=dict(pub.progress or {}),
        remote_id=pub.remote_id, portal_code=topic.portal_code if topic else None,
        topic_name=topic.name if topic else None, content_hash=pub.content_hash, save_progress=_save,
    )  # fmt: skip


def void_for_mismatch(s: Session, pub: Publication, expect: dict, reason: str) -> bool:
    """Nothing is sent: the row is cancelled and the item's approval voided (back to review)."""
    if not outbox.mark_failed(s, pub, expect, reason=reason, state="cancelled", notify=False):
        return False
    from content.review.chain import void_approval

    void_approval(s, item_id=pub.item_id, reason=reason)
    return True


def send_one(
    engine: Engine, registry: ChannelRegistry, cfg: OutboxConfig, pub_id: int,
    categories: dict[int, Category | None] | None = None,
) -> str:
    """Send one claimed row; returns the outcome name. Crashes propagate (the lease protects the row)."""
    expect = outbox.owned(cfg)
    with session_scope(engine) as s:
        row = s.execute(_TO_SEND, {"pub_id": pub_id}).first()
        pub, _item, _rev = row if row is not None else (None, None, None)  # held: verify_content reads them
        if pub is None or pub.state != "claimed" or pub.claimed_by != cfg.worker_id:
            return "lost"
        item, rev, problem = verify_content(s, pub)
        if problem or rev is None:  # verify_content names a problem whenever a row is missing
            problem = problem or "稿件或版本不存在"
            log.warning("publication %s: %s — nothing sent", pub_id, problem)
            void_for_mismatch(s, pub, expect, problem)
            return "voided"
        if item is not None and item.state in ("withdrawn", "archived"):
            outbox.mark_failed(
                s, pub, expect, reason="稿件已撤稿或归档，不再发布", state="cancelled", notify=False
            )
            return "cancelled"
        adapter = registry.get(pub.channel)
        if adapter is None:
            outbox.mark_failed(s, pub, expect, reason=f"发布渠道「{pub.channel}」未配置")
            return "failed"
        job = build_job(engine, cfg, s, pub, rev, categories=categories)
    try:
        result = adapter.send(job)
    except LeaseLost:
        return "lost"
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row, never a crash loop
        return _record_failure(engine, cfg, pub_id, job, exc, pub)
    return _finish(
        engine,
        pub_id,
        lambda s, p: outbox.mark_sent(
            s,
            p,
            expect,
            remote_id=result.remote_id,
            remote_url=result.remote_url,
            confirmed=result.confirmed,
            cfg=cfg,
        ),
        "confirmed" if result.confirmed else "sent",
        pub,
    )


def _record_failure(
    engine: Engine, cfg: OutboxConfig, pub_id: int, job: PublishJob, exc: Exception, pub: Publication | None = None
) -> str:
    expect = outbox.owned(cfg)
    if isinstance(exc, PermanentError):
        return _finish(
            engine, pub_id, lambda s, p: outbox.mark_failed(s, p, expect, reason=exc.message), "failed", pub
        )
    if isinstance(exc, UnknownOutcome):
        return _finish(
            engine, pub_id, lambda s, p: outbox.mark_unknown(s, p, expect, error=exc.message), "unknown", pub
        )
    if isinstance(exc, TransientError):
        error, retry_after = exc.message, exc.retry_after
    else:  # a bug or an unexpected answer: retried with backoff until max_attempts
        log.error("publication %s: unexpected error in channel %s", pub_id, job.channel, exc_info=exc)
        error, retry_after = f"内部错误：{type(exc).__name__}", None
    return _finish(
        engine,
        pub_id,
        lambda s, p: outbox.retry_later(s, p, expect, error=error, cfg=cfg, retry_after=retry_after),
        "retry",
        pub,
    )


def _finish(engine: Engine, pub_id: int, transition, outcome: str, pub: Publication | None = None) -> str:
    """Record the outcome. `pub`: the row as read when it was sent — every transition is a compare-and-set
    on the state this process owns, so the columns it reads (due/sent time, attempts, item, channel)
    cannot have changed meanwhile, and the row need not be read again."""
    with session_scope(engine) as s, action_rows(s):  # the audit rows of the outcome go out in one statement
        pub = pub if pub is not None else s.get(Publication, pub_id)
        if pub is None or not transition(s, pub):
            log.warning("publication %s: lease lost before recording %s", pub_id, outcome)
            return "lost"
    return outcome
