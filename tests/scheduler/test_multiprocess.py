"""Two scheduler processes on one PostgreSQL: every due post is sent exactly once."""

from __future__ import annotations

import collections
import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import Session, select

from content.models import Publication
from tests.conftest import _truncate_all, build_world
from tests.scheduler.helpers import approved_item

ROOT = Path(__file__).resolve().parents[2]


def test_two_processes_dispatch_1000_posts_exactly_once(pg_engine, pg_url, portal_emulator, tmp_path):
    _truncate_all(pg_engine)
    world = build_world(pg_engine)
    ids = approved_item(pg_engine, world, count=1000)
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.scheduler.dispatch_worker", pg_url, portal_emulator.url, str(go)],
            cwd=ROOT,
            env=env,
        )  # fmt: skip
        for _ in range(2)
    ]
    go.touch()
    assert [p.wait(timeout=300) for p in procs] == [0, 0]

    posts = portal_emulator.post_requests()
    per_key = collections.Counter(r.idempotency_key for r in posts)
    with Session(pg_engine) as s:
        rows = s.exec(select(Publication).where(Publication.id.in_(ids))).all()
    assert len(per_key) == 1000 and set(per_key.values()) == {1}
    assert {r.idempotency_key for r in rows} == set(per_key)
    assert {r.state for r in rows} == {"confirmed"}
    assert len(portal_emulator.live_posts()) == 1000
    claimers = {r.data["worker"] for r in _claims(pg_engine)}
    assert len(claimers) == 2  # both processes really took part


def _claims(engine):
    from content.models import AuditEvent

    with Session(engine) as s:
        return s.exec(select(AuditEvent).where(AuditEvent.action == "publication.claimed")).all()
