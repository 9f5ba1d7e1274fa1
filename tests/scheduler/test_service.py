"""The APScheduler service, the jobs registry and the heartbeat, on both databases."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlmodel import Session

from app.scheduler_jobs import all_jobs
from content.settings import Settings
from content.timeutil import utcnow
from scheduler import heartbeat, jobs
from scheduler.service import build, run_forever, start_background
from tests.scheduler.helpers import approved_item, cfg, pub
from tests.waiting import wait_for


def _settings(interval: float = 0.2) -> Settings:
    return Settings(dispatch_interval_seconds=interval, _env_file=None)


def test_missed_posts_are_published_when_the_scheduler_starts(
    engine, world, registry, portal_emulator, caplog
):
    [pid] = approved_item(engine, world, due_at=utcnow() - timedelta(hours=2))  # due while nothing ran
    with caplog.at_level(logging.WARNING, logger="gongkai.scheduler"):
        handle = start_background(engine, _settings(), jobs=all_jobs(), registry=registry, outbox=cfg("svc"))
        try:
            assert wait_for(lambda: pub(engine, pid).state == "confirmed")
        finally:
            handle.stop()
    assert len(portal_emulator.live_posts()) == 1
    assert any("补发" in r.getMessage() for r in caplog.records)


def test_heartbeat_fresh_stale_never(engine):
    with Session(engine) as s:
        assert heartbeat.heartbeat_status(s, 5).status == "never"
    heartbeat.beat(engine, "host:1:a", interval=5)
    with Session(engine) as s:
        st = heartbeat.heartbeat_status(s, 5)
        assert st.status == "fresh" and st.instances == 1 and "正常" in st.message
        stale = heartbeat.heartbeat_status(s, 5, now=utcnow() + timedelta(seconds=11))
        assert stale.status == "stale" and "已停止" in stale.message
        assert heartbeat.heartbeat_status(s, 5, now=utcnow() + timedelta(seconds=9)).status == "fresh"


def test_standalone_scheduler_beats_and_stops(engine, registry):
    stop = threading.Event()
    t = threading.Thread(
        target=run_forever, args=(engine, _settings()), kwargs={"stop": stop, "registry": registry, "jobs": all_jobs()}
    )
    t.start()
    try:

        def fresh():
            with Session(engine) as s:
                return heartbeat.heartbeat_status(s, 0.2).status == "fresh"

        assert wait_for(fresh)
    finally:
        stop.set()
        t.join(timeout=10)
    assert not t.is_alive()


def test_job_list_from_app_and_defaults(engine, registry):
    handle = build(engine, _settings(), registry=registry, jobs=[
        *all_jobs(), jobs.JobSpec("new_year", lambda ctx: None, cron={"month": 1, "day": 1, "hour": 6}),
    ])  # fmt: skip
    handle.scheduler.start(paused=True)
    ids = {j.id for j in handle.scheduler.get_jobs()}
    assert {"dispatch", "reconcile", "withdraw", "heartbeat", "notifications", "review_reminders",
            "deadline_reminders", "annual_report_draft", "new_year"} == ids  # fmt: skip
    for job in handle.scheduler.get_jobs():
        assert job.coalesce is True and job.max_instances == 1
    handle.stop()
