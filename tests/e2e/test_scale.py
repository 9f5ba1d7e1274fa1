"""Scale-out on PostgreSQL: two uvicorn workers and two scheduler processes under load at once.

Encrypted WeCom `同意 N` callbacks (each delivered twice, as the platform retries) approve items at
both gates while ~150 already-due posts are being dispatched. Afterwards: every post reached the
portal emulator exactly once, nothing is lost, each gate was decided once, both schedulers took
part, and no callback took longer than the platform's 5 s answer limit (a protocol rule, not a
performance target).
"""

from __future__ import annotations

import collections
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from app.cli import cli
from app.migrate import upgrade
from content.db.db import make_engine
from content.models import AuditEvent, Item, Publication, ReviewStep, User
from content.settings import Settings
from tests.conftest import PG_ADMIN_URL, build_world

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
IN_REVIEW = 40  # items approved through callbacks at two gates
DUE = 150  # posts already approved and due when the schedulers start
CALLBACK_LIMIT = 5.0  # seconds: WeChat retries after this
AES = "b" * 43
SECRET = "scale-test-secret-key-0123456789abcdef"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def scale_db(pg_url):  # pg_url: skips (or fails under CI) when PostgreSQL is unreachable
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"gongkai_scale_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url, pool_size=10)
    upgrade(engine)
    yield url, engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Processes:
    """Processes this test starts, each in its own session so it can be stopped with its children."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def start(self, args: list[str], env: dict, log: Path) -> subprocess.Popen:
        proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _scheduler_command() -> list[str]:
    if "scheduler" in {c.name for c in cli.registered_commands}:
        return [sys.executable, "-m", "app.cli", "scheduler"]
    return [sys.executable, "-c", "from content.settings import Settings; from content.db.db import make_engine; "
            "from scheduler.service import run_forever; from app.scheduler_jobs import all_jobs; s = Settings(); "
            "run_forever(make_engine(s.database_url), s, jobs=all_jobs())"]


def _in_review_items(engine, world) -> list[int]:
    from content.review.chain import apply_action
    from content.store import create_item

    ids = []
    with Session(engine) as s:
        drafter = s.get(User, world.drafter)
        for n in range(IN_REVIEW):
            item = create_item(s, actor=drafter, data={
                "title": f"扩容测试稿件（{n + 1}）", "body_html": "<p>正文</p>", "topic": "其他",
                "channels": ["portal"], "digest": "摘要"})
            apply_action(s, item_id=item.id, actor=drafter, action="submit")
            ids.append(item.id)
        for uid, wecom in ((world.head_a, "head_a_wx"), (world.leader, "leader_wx")):
            s.get(User, uid).wecom_userid = wecom
        s.commit()
    return ids


def test_two_workers_two_schedulers_publish_everything_once(scale_db, tmp_path):
    from bot.config import channel_config
    from sandbox.callback_client import CallbackClient
    from sandbox.emulator import WeChatEmulator
    from sandbox.portal_emulator import PortalEmulator
    from tests.scheduler.helpers import approved_item

    url, engine = scale_db
    world = build_world(engine)
    review_ids = _in_review_items(engine, world)
    due_ids = approved_item(engine, world, count=DUE)

    portal = PortalEmulator(token="portal-token").start()
    wechat = WeChatEmulator().start()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGKAI_")}
    env.update({
        "GONGKAI_DATABASE_URL": url, "GONGKAI_SECRET_KEY": SECRET, "GONGKAI_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "GONGKAI_WECOM_CORP_ID": "wwscaletest", "GONGKAI_WECOM_AGENT_ID": "1000002",
        "GONGKAI_WECOM_SECRET": "wecom-secret-value", "GONGKAI_WECOM_TOKEN": "wecom-token-value",
        "GONGKAI_WECOM_AES_KEY": AES, "GONGKAI_WECOM_API_BASE": wechat.wecom_base,
        "GONGKAI_PORTAL_URL": portal.url, "GONGKAI_PORTAL_TOKEN": "portal-token",
        "GONGKAI_DISPATCH_INTERVAL_SECONDS": "1", "GONGKAI_ARGON2_PROFILE": "test", "PYTHONPATH": str(ROOT),
    })  # fmt: skip
    procs = Processes()
    latencies: list[float] = []
    try:
        procs.start([sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", "2"],
                    env, tmp_path / "web.log")
        for n in range(2):
            procs.start(_scheduler_command(), env, tmp_path / f"scheduler{n}.log")
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "web.log").read_text(errors="replace")[-3000:]
            time.sleep(0.2)

        settings = Settings(**{k[len("GONGKAI_"):].lower(): v for k, v in env.items()
                               if k.startswith("GONGKAI_") and k != "GONGKAI_ARGON2_PROFILE"})
        cc = CallbackClient(channel_config(settings, "wecom"))

        def approve(sender: str, item_id: int) -> list[int]:
            params, body = cc.seal(cc.text(sender, f"同意 {item_id}"))
            codes = []
            with httpx.Client(timeout=30) as client:
                for _ in range(2):  # the platform's retry of the same MsgId
                    started = time.monotonic()
                    r = client.post(f"{base}/wechat/work", params=params, content=body)
                    latencies.append(time.monotonic() - started)
                    codes.append(r.status_code)
            return codes

        with ThreadPoolExecutor(max_workers=8) as pool:
            for sender in ("head_a_wx", "leader_wx"):
                codes = list(pool.map(lambda i, s=sender: approve(s, i), review_ids))
                assert all(c == [200, 200] for c in codes), codes
                _wait_until(engine, sender, review_ids)

        total = DUE + IN_REVIEW
        deadline = time.monotonic() + 120
        while True:
            with Session(engine) as s:
                done = s.exec(select(func.count()).select_from(Publication)
                              .where(Publication.state == "confirmed")).one()
            if done >= total:
                break
            assert time.monotonic() < deadline, f"only {done}/{total} confirmed"
            time.sleep(0.5)
    finally:
        procs.stop()
        portal.stop()
        wechat.stop()

    per_key = collections.Counter(r.idempotency_key for r in portal.post_requests())
    with Session(engine) as s:
        pubs = s.exec(select(Publication)).all()
        assert len(pubs) == total and {p.state for p in pubs} == {"confirmed"}
        assert set(per_key) == {p.idempotency_key for p in pubs}
        assert set(per_key.values()) == {1}, "a post reached the portal twice"
        assert len(portal.live_posts()) == total
        assert {p.id for p in pubs} >= set(due_ids)
        # each gate of each reviewed item decided exactly once, despite the duplicated callbacks
        for item_id in review_ids:
            steps = s.exec(select(ReviewStep).where(ReviewStep.item_id == item_id)).all()
            assert sorted(st.gate for st in steps) == ["dept_head", "leader"]
            assert {st.decision for st in steps} == {"approved"} and {st.channel for st in steps} == {"wecom"}
            assert s.get(Item, item_id).state == "published"
        approvals = s.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "item.approve")).one()
        assert approvals == 2 * IN_REVIEW
        workers = {e.data.get("worker") for e in s.exec(select(AuditEvent)
                                                        .where(AuditEvent.action == "publication.claimed")).all()}
        assert len(workers - {None}) == 2, f"both schedulers should have claimed work: {workers}"
    assert len(latencies) == 4 * IN_REVIEW
    assert max(latencies) < CALLBACK_LIMIT, f"slowest callback {max(latencies):.2f} s"


def _wait_until(engine, sender: str, item_ids: list[int]) -> None:
    """The bot may apply a decision after its reply: wait until every gate of this round is decided."""
    gate = "dept_head" if sender.startswith("head") else "leader"
    deadline = time.monotonic() + 30
    while True:
        with Session(engine) as s:
            decided = s.exec(select(func.count()).select_from(ReviewStep).where(
                ReviewStep.item_id.in_(item_ids), ReviewStep.gate == gate, ReviewStep.decision == "approved")).one()
        if decided == len(item_ids):
            return
        assert time.monotonic() < deadline, f"{decided}/{len(item_ids)} {gate} approvals applied"
        time.sleep(0.2)
