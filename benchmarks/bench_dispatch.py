"""Dispatch to the portal emulator: posts/s and due→sent lag, beside bare httpx POSTs to the same emulator.

Three phases in one run, one SQLite file (or GONGKAI_BENCH_DATABASE_URL, e.g. a PostgreSQL database
that may be wiped):
1. floor: N bare `httpx` POSTs to the emulator with the dispatcher's concurrency;
2. backlog: N posts all due now, drained by `dispatch_once` → posts/s;
3. lag: N/5 posts whose due times are spread at RATE posts/s, published by the real APScheduler
   service with a 1 s dispatch interval → p50/p95 of (sent_at − due_at). Target: p95 < 2 s.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, insert
from sqlmodel import Session, select

from app.migrate import upgrade
from app.scheduler_jobs import all_jobs
from channels.base import ChannelRegistry
from channels.portal import PortalChannel
from content import accounts
from content.db.db import make_engine
from content.models import Category, Item, Publication, Revision
from content.seed import seed_org
from content.settings import Settings
from content.store import content_hash
from content.timeutil import utcnow
from scheduler.dispatch import dispatch_once
from scheduler.outbox import OutboxConfig
from scheduler.service import start_background

CONCURRENCY = 4
RATE = 40.0  # due posts per second in the lag phase (a town publishes a few a day)


def _engine(tmp: Path):
    url = os.environ.get("GONGKAI_BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)
    return engine


def _seed(engine) -> dict:
    with Session(engine) as s:
        org, _ = seed_org(s, code=f"bench-{uuid.uuid4().hex[:6]}", name="基准测试镇")
        accounts.create_department(s, org_id=org.id, name="党政办")
        user = accounts.create_user(s, org_id=org.id, login=f"bench-{uuid.uuid4().hex[:6]}", name="拟稿人",
                                    password="bench-pass-123", roles="drafter", department="党政办")  # fmt: skip
        topic = s.exec(
            select(Category).where(Category.org_id == org.id, Category.taxonomy == "topic")
        ).first()
        s.commit()
        return {"org": org.id, "dept": user.department_id, "user": user.id, "topic": topic.id}


def _make_posts(engine, ids: dict, dues: list) -> None:
    """Approved items with one portal publication each, inserted in bulk."""
    content = {"title": "基准测试稿件", "body_html": "<p>正文</p>", "topic_id": ids["topic"]}
    digest = content_hash(content)
    with Session(engine) as s:
        base = s.exec(select(func.coalesce(func.max(Item.id), 0))).one()
        s.exec(insert(Item), params=[
            {"id": base + n + 1, "org_id": ids["org"], "department_id": ids["dept"], "drafter_id": ids["user"],
             "title": f"基准测试稿件 {n}", "topic_id": ids["topic"], "channels": ["portal"], "state": "approved",
             "body_html": "<p>正文</p>", "attachments": [], "check_warnings": [], "created_at": utcnow(),
             "updated_at": utcnow()} for n in range(len(dues))])  # fmt: skip
        s.exec(insert(Revision), params=[
            {"id": base + n + 1, "org_id": ids["org"], "item_id": base + n + 1, "number": 1,
             "created_by": ids["user"], "content": content, "content_hash": digest, "created_at": utcnow()}
            for n in range(len(dues))])  # fmt: skip
        s.exec(insert(Publication), params=[
            {"org_id": ids["org"], "item_id": base + n + 1, "revision_id": base + n + 1, "content_hash": digest,
             "channel": "portal", "target": "", "state": "pending", "due_at": due, "attempts": 0, "progress": {},
             "idempotency_key": f"bench-{uuid.uuid4().hex}", "created_at": utcnow(), "updated_at": utcnow()}
            for n, due in enumerate(dues)])  # fmt: skip
        s.exec(Item.__table__.update().where(Item.id > base).values(approved_revision_id=Item.id,
                                                                     current_revision_id=Item.id))  # fmt: skip
        s.commit()


def _bare_posts(url: str, n: int) -> float:
    client = httpx.Client(base_url=url, headers={"Authorization": "Bearer bench"})
    body = {"title": "基准", "body_html": "<p>正文</p>", "column": "T01"}

    def one(i: int) -> None:
        client.post("/api/v1/posts", json=body, headers={"Idempotency-Key": f"bare-{i}-{uuid.uuid4().hex}"})

    start = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(one, range(n)))
    elapsed = time.perf_counter() - start
    client.close()
    return n / elapsed


def _pending(engine) -> int:
    with Session(engine) as s:
        return s.exec(
            select(func.count()).select_from(Publication).where(Publication.state != "confirmed")
        ).one()


@contextmanager
def _emulator_process():
    """The portal emulator in its own process, so it does not share this process's GIL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "sandbox.portal_emulator", "--port", str(port),
                             "--token", "bench"])  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(url + "/", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def run(quick: bool) -> list[dict]:
    n = 1_000 if quick else 10_000
    with tempfile.TemporaryDirectory() as tmp, _emulator_process() as url:
        engine = _engine(Path(tmp))
        ids = _seed(engine)
        floor = _bare_posts(url, n)

        registry = ChannelRegistry([PortalChannel(url, "bench", timeout=10, backoff=0.05)])
        cfg = OutboxConfig(worker_id="bench", batch_size=200, concurrency=CONCURRENCY, late_after_seconds=1e9)
        _make_posts(engine, ids, [utcnow() - timedelta(seconds=1)] * n)
        start = time.perf_counter()
        while dispatch_once(engine, registry, cfg).claimed:
            pass
        rate = n / (time.perf_counter() - start)

        n_lag = n // 5
        first = utcnow() + timedelta(seconds=2)
        _make_posts(engine, ids, [first + timedelta(seconds=i / RATE) for i in range(n_lag)])
        settings = Settings(dispatch_interval_seconds=1.0, _env_file=None)
        handle = start_background(engine, settings, jobs=all_jobs(), registry=registry, outbox=OutboxConfig(
            worker_id="bench-svc", batch_size=200, concurrency=CONCURRENCY, late_after_seconds=1e9))  # fmt: skip
        deadline = time.monotonic() + 2 + n_lag / RATE + 120
        while _pending(engine) and time.monotonic() < deadline:
            time.sleep(0.2)
        handle.stop()
        with Session(engine) as s:
            rows = s.exec(
                select(Publication.due_at, Publication.sent_at).where(Publication.due_at >= first)
            ).all()
        lags = sorted((sent - due).total_seconds() for due, sent in rows if sent is not None)
        engine.dispose()
    p50 = statistics.median(lags) if lags else None
    p95 = lags[int(0.95 * (len(lags) - 1))] if lags else None
    complete = len(lags) == n_lag
    return [
        {"name": f"发布吞吐（{n:,} 篇积压，门户模拟器）", "figure": round(rate, 1), "unit": "篇/秒",
         "floor": round(floor, 1), "floor_name": f"{n:,} 次裸 httpx POST（{CONCURRENCY} 线程）", "target": None,
         "met": None},
        {"name": f"到期→发出延迟 p50（{n_lag:,} 篇，{RATE:g} 篇/秒到期，间隔 1 秒）", "figure": round(p50, 3) if p50 else p50,
         "unit": "秒", "floor": 1.0, "floor_name": "调度间隔", "target": None, "met": None},
        {"name": f"到期→发出延迟 p95（{n_lag:,} 篇，{RATE:g} 篇/秒到期，间隔 1 秒）", "figure": round(p95, 3) if p95 else p95,
         "unit": "秒", "floor": 1.0, "floor_name": "调度间隔", "target": "p95 < 2 秒",
         "met": bool(complete and p95 is not None and p95 < 2.0)},
    ]  # fmt: skip


if __name__ == "__main__":
    for row in run(quick=os.environ.get("QUICK", "1") == "1"):
        print(row)
