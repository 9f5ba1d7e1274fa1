"""Items pushed through the whole review chain through the store API, per second.

Each item: create (revision 1), submit (checks, review, first gate), approve at 供稿部门负责人,
approve at 分管领导 (publication rows) — four transactions with their audit events and notifications.
The floor is the same number of bare statements in the same run: one INSERT and three UPDATEs per item,
each in its own transaction, on a one-table schema in the same database.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("GONGKAI_ARGON2_PROFILE", "test")  # fixture users only; hashing is not measured

from sqlalchemy import text  # noqa: E402
from sqlmodel import Session

from app.model_registry import load_all_models
from benchmarks.dbs import pg_engine, sqlite_engine
from content import accounts, store
from content.models import User
from content.review import chain as workflow
from content.seed import seed_org


def _users(engine) -> tuple[int, int, int]:
    with Session(engine) as s:
        org, _ = seed_org(s, code="bench", name="基准镇")
        accounts.create_department(s, org_id=org.id, name="党政办")
        ids = tuple(
            accounts.create_user(s, org_id=org.id, login=login, name=login, password="bench-pass-1", roles=role,
                                 department="党政办" if role != "leader" else None,
                                 oversees=["党政办"] if role == "leader" else None).id
            for login, role in (("d", "drafter"), ("h", "dept_head"), ("l", "leader"))
        )
        s.commit()
    return ids


def _chain(engine, n: int) -> float:
    drafter, head, leader = _users(engine)
    data = {"title": "关于做好秋冬季安全生产工作的通知", "digest": "安全生产", "topic": "其他", "area": "安全生产",
            "body_html": "<p>各村（社区）、各部门：现将有关事项通知如下。</p>" * 5, "channels": ["portal", "mp"]}
    with Session(engine, expire_on_commit=False) as s:
        actors = {uid: s.get(User, uid) for uid in (drafter, head, leader)}
    started = time.perf_counter()
    for _ in range(n):
        with Session(engine, expire_on_commit=False) as s:
            item_id = store.create_item(s, actor=actors[drafter], data=data).id
            s.commit()
            for uid, action in ((drafter, "submit"), (head, "approve"), (leader, "approve")):
                workflow.apply_action(s, item_id=item_id, actor=actors[uid], action=action)
                s.commit()
    return n / (time.perf_counter() - started)


def _floor(engine, n: int) -> float:
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bench_floor (id INTEGER PRIMARY KEY, state VARCHAR(20), gate VARCHAR(20))"))
    started = time.perf_counter()
    for i in range(1, n + 1):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO bench_floor (id, state, gate) VALUES (:i, 'draft', NULL)"), {"i": i})
        for state, gate in (("in_review", "dept_head"), ("in_review", "leader"), ("approved", None)):
            with engine.begin() as conn:
                conn.execute(text("UPDATE bench_floor SET state = :s, gate = :g WHERE id = :i"),
                             {"s": state, "g": gate, "i": i})
    return n / (time.perf_counter() - started)


def _row(label: str, n: int, figure: float | None, floor: float | None) -> dict:
    return {"name": f"审核链吞吐（{n} 条，{label}）", "figure": round(figure, 1) if figure else None,
            "unit": "条/秒", "floor": round(floor, 1) if floor else None,
            "floor_name": "同数量裸 INSERT+UPDATE（每条 4 个事务）", "target": "报告值，无硬性目标", "met": None}


def run(quick: bool) -> list[dict]:
    load_all_models()
    n = 500 if quick else 10_000
    rows = []
    with sqlite_engine() as engine:
        rows.append(_row("SQLite", n, _chain(engine, n), _floor(engine, n)))
    with pg_engine() as engine:
        if engine is None:
            rows.append(_row("PostgreSQL 不可用，未测", n, None, None))
        else:
            rows.append(_row("PostgreSQL", n, _chain(engine, n), _floor(engine, n)))
    return rows


if __name__ == "__main__":
    for row in run(quick=os.environ.get("QUICK", "1") == "1"):
        print(row)
