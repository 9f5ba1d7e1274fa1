"""The portal channel against the loopback portal emulator, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import Session, select

from content.models import AuditEvent, Item, Notification
from content.timeutil import utcnow
from scheduler import outbox, reconcile
from scheduler.dispatch import dispatch_once, send_one
from tests.scheduler.helpers import approved_item, cfg, pub


def test_500_twice_then_200_gives_one_post(engine, world, portal_emulator, registry):
    [pid] = approved_item(engine, world)
    portal_emulator.fail_next(2, status=500)
    stats = dispatch_once(engine, registry, cfg())
    assert stats.outcomes == {"confirmed": 1}
    assert [r.status for r in portal_emulator.post_requests()] == [500, 500, 201]
    assert len(portal_emulator.live_posts()) == 1
    row = pub(engine, pid)
    assert row.state == "confirmed" and row.remote_url.endswith(f"/posts/{row.remote_id}.html")
    with Session(engine) as s:
        assert s.get(Item, row.item_id).state == "published"
        actions = s.exec(select(AuditEvent.action).where(AuditEvent.target_type == "publication")).all()
    assert {"publication.claimed", "publication.sent", "publication.confirmed"} <= set(actions)


def test_timeout_after_store_is_reconciled_without_second_post(engine, world, portal_emulator, registry):
    [pid] = approved_item(engine, world)
    portal_emulator.hang_after_store(1, seconds=1.5)  # the client's timeout is 0.5 s
    stats = dispatch_once(engine, registry, cfg())
    assert stats.outcomes == {"confirmed": 1}
    assert len(portal_emulator.post_requests()) == 1
    lookups = [r for r in portal_emulator.requests if r.method == "GET" and r.path == "/api/v1/posts"]
    assert len(lookups) == 1
    assert len(portal_emulator.live_posts()) == 1
    assert pub(engine, pid).remote_id == str(portal_emulator.live_posts()[0].id)


def test_expired_lease_goes_unknown_then_reconciles(engine, world, portal_emulator, registry, portal):
    """A process died after the portal stored the post: the reaper and reconciliation finish it."""
    [pid] = approved_item(engine, world)
    dead = cfg("dead-worker", lease_seconds=0.0)
    assert outbox.claim_due(engine, dead) == [pid]
    portal.send(_job(engine, pid))  # the dead process had sent it
    assert reconcile.reap_expired(engine, cfg(), now=utcnow() + timedelta(seconds=1)) == 1
    assert pub(engine, pid).state == "unknown"
    assert reconcile.reconcile_unknown(engine, registry, cfg()) == {"confirmed": 1}
    assert len(portal_emulator.post_requests()) == 1
    assert pub(engine, pid).state == "confirmed"


def test_expired_lease_with_nothing_sent_is_requeued(engine, world, portal_emulator, registry):
    [pid] = approved_item(engine, world)
    outbox.claim_due(engine, cfg("dead-worker", lease_seconds=0.0))
    reconcile.reap_expired(engine, cfg(), now=utcnow() + timedelta(seconds=1))
    assert reconcile.reconcile_unknown(engine, registry, cfg()) == {"requeued": 1}
    assert dispatch_once(engine, registry, cfg()).outcomes == {"confirmed": 1}
    assert len(portal_emulator.post_requests()) == 1


def test_4xx_is_permanent_and_tells_the_drafter(engine, world, portal_emulator, registry):
    portal_emulator.columns = {"NOPE"}
    [pid] = approved_item(engine, world)
    assert dispatch_once(engine, registry, cfg()).outcomes == {"failed": 1}
    row = pub(engine, pid)
    assert row.state == "failed" and "422" in row.last_error and "栏目代码无效" in row.last_error
    assert len(portal_emulator.post_requests()) == 1  # no retry on 4xx
    with Session(engine) as s:
        notes = s.exec(select(Notification).where(Notification.kind == "publication.failed")).all()
    assert [(n.user_id, n.item_id) for n in notes] == [(world.drafter, row.item_id)]
    assert "栏目代码无效" in notes[0].data["reason"]


def test_persistent_5xx_is_retried_later_not_failed(engine, world, portal_emulator, registry):
    [pid] = approved_item(engine, world)
    portal_emulator.fail_next(4, status=503)
    assert dispatch_once(engine, registry, cfg(retry_base_seconds=60)).outcomes == {"retry": 1}
    row = pub(engine, pid)
    assert row.state == "pending" and row.next_attempt_at > utcnow() and "503" in row.last_error
    assert dispatch_once(engine, registry, cfg()).claimed == 0  # not due again yet
    assert portal_emulator.live_posts() == []


def test_missed_due_time_is_published_at_start_and_logged_late(
    engine, world, portal_emulator, registry, caplog
):
    [pid] = approved_item(engine, world, due_at=utcnow() - timedelta(hours=3))
    with caplog.at_level(logging.WARNING, logger="gongkai.scheduler"):
        assert dispatch_once(engine, registry, cfg()).outcomes == {"confirmed": 1}
    assert any("补发" in r.getMessage() and f"#{pid}" in r.getMessage() for r in caplog.records)
    with Session(engine) as s:
        sent = s.exec(select(AuditEvent).where(AuditEvent.action == "publication.sent")).one()
    assert sent.data["late_seconds"] >= 3 * 3600 - 60


def test_future_rows_are_not_claimed(engine, world, portal_emulator, registry):
    approved_item(engine, world, due_at=utcnow() + timedelta(hours=1))
    assert dispatch_once(engine, registry, cfg()).claimed == 0
    assert portal_emulator.requests == []


def test_claim_is_exclusive(engine, world):
    approved_item(engine, world, count=5)
    first = outbox.claim_due(engine, cfg("a"))
    assert len(first) == 5 and outbox.claim_due(engine, cfg("b")) == []
    assert send_one(engine, None, cfg("b"), first[0]) == "lost"  # not b's row


def _job(engine, pid):
    from content.models import Publication, Revision
    from scheduler.dispatch import build_job

    with Session(engine) as s:
        p = s.get(Publication, pid)
        return build_job(engine, cfg(), s, p, s.get(Revision, p.revision_id), track_lease=False)
