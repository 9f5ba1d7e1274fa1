"""One heartbeat rule: every face (check-config, /readyz, the dashboard banner, the API's verdict) agrees."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from app.checks_registry import Level
from app.checks_scheduler import scheduler_heartbeat as check_config_face
from app.health import heartbeat_status as readyz_face
from content.settings import Settings
from content.timeutil import utcnow
from scheduler.heartbeat import heartbeat_status
from scheduler.models import SchedulerHeartbeat
from web.pages.heartbeat import read_heartbeat

INTERVAL = 3 * 3600.0  # a margin of an hour around the boundary: no test here depends on how fast it runs


def _beat(engine, at) -> None:
    with Session(engine) as s:
        s.add(SchedulerHeartbeat(instance="test:1", interval_seconds=INTERVAL, started_at=at, beat_at=at))
        s.commit()


def _faces(engine, db_url) -> dict[str, bool]:
    settings = Settings(database_url=db_url, dispatch_interval_seconds=INTERVAL)
    with Session(engine) as s:
        rule = heartbeat_status(s, INTERVAL).ok
        banner = read_heartbeat(s, INTERVAL)["ok"]
    return {"rule": rule, "dashboard": banner, "readyz": readyz_face(engine, INTERVAL)["ok"],
            "check-config": check_config_face(settings).level == Level.ok}


def test_exactly_two_intervals_is_fresh_a_moment_more_is_a_warning(engine):
    at = utcnow()
    _beat(engine, at)
    boundary = at + timedelta(seconds=2 * INTERVAL)
    with Session(engine) as s:
        assert heartbeat_status(s, INTERVAL, now=boundary).status == "fresh"
        assert read_heartbeat(s, INTERVAL, now=boundary)["ok"]
        later = boundary + timedelta(milliseconds=1)
        assert heartbeat_status(s, INTERVAL, now=later).status == "stale"
        assert not read_heartbeat(s, INTERVAL, now=later)["ok"]


@pytest.mark.parametrize(("age", "fresh"), [(2 * INTERVAL - 3600, True), (2 * INTERVAL + 3600, False)])
def test_all_faces_agree_on_either_side_of_two_intervals(engine, db_url, age, fresh):
    _beat(engine, utcnow() - timedelta(seconds=age))
    assert _faces(engine, db_url) == dict.fromkeys(("rule", "dashboard", "readyz", "check-config"), fresh)


def test_all_faces_warn_when_no_scheduler_ever_ran(engine, db_url):
    assert _faces(engine, db_url) == dict.fromkeys(("rule", "dashboard", "readyz", "check-config"), False)


def test_the_rule_is_written_once():
    root = Path(__file__).resolve().parents[2]
    readers = [str(p.relative_to(root)) for pkg in ("content", "annual", "bot", "channels", "web", "app")
               for p in (root / pkg).rglob("*.py") if "scheduler_heartbeat\"" in p.read_text(encoding="utf-8")]
    assert readers == []  # only scheduler/ names its table
