"""The whole annual tally over 1,000,000 items and 100,000 applications in one org-year.

On SQLite (a temporary file) and PostgreSQL (a throwaway database on GONGKAI_BENCH_PG_URL, default
GONGKAI_TEST_PG_URL or postgresql://postgres@127.0.0.1:5432/test). Figure: seconds for `tally()`
(best of 3, warm cache); floor: one plain GROUP BY over the same items table, measured in the same run.
Target: within 3× the floor. `quick` uses 100,000 items and 10,000 applications.
Rows are bulk-loaded through the driver (executemany on SQLite, COPY on PostgreSQL). Half the items go to
the official account too, every 10th to three grid groups, every 20th to a bulletin board, whose notice
(and its publication row) is generated in SQL and recorded as posted: the tally reads `item`,
`disclosureapplication` and `board_notice`, and the run checks every channel figure it returns.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from annual.tally import tally
from app.model_registry import load_all_models
from benchmarks.dbs import pg_engine, sqlite_engine
from content.seed import seed_org
from content.timeutil import year_bounds_utc

YEAR = 2025
TARGET_RATIO = 3.0
APPLICANTS = ("natural", "commercial", "research", "social", "legal", "other")
RESULTS = ("public", "partial", "deny_secret", "unable_none", "reject_duplicate", "other")
GROUPS = ("1", "2", "3")  # grid-group robot ids an item posted to groups goes to
FLOOR_SQL = ("SELECT topic_id, COUNT(*) FROM item WHERE org_id = :org AND published_at >= :start "
             "AND published_at < :end GROUP BY topic_id")

ITEM_COLS = ("org_id", "department_id", "drafter_id", "title", "digest", "author", "body_html", "attachments",
             "topic_id", "area_id", "channels", "origin", "disclosure_type", "has_full_text", "state", "sensitive",
             "emergency", "review_incomplete", "rejection_count", "check_warnings", "version", "created_at",
             "updated_at", "published_at", "imported")  # fmt: skip
APP_COLS = ("org_id", "number", "channel", "received_on", "applicant_type", "applicant_name", "request",
            "extension_days", "consultation_days", "due_on", "due_provisional", "replied_on", "result",
            "withheld_reasons", "note", "created_at", "updated_at")  # fmt: skip


def _ts(value: datetime, sqlite: bool):
    return value.replace(tzinfo=None).isoformat(sep=" ") if sqlite else value


def _prepare(engine: Engine) -> tuple[int, list[int], list[int]]:
    """An org with its categories, one department, and one user."""
    with Session(engine) as s:
        org, _ = seed_org(s, code="bench", name="基准镇")
        s.commit()
        org_id = org.id
    now = datetime.now(UTC)
    with engine.begin() as c:
        c.execute(text("INSERT INTO department (org_id, name, active) VALUES (:o, '党政办', :t)"), {"o": org_id, "t": True})
        dept = c.execute(text("SELECT id FROM department WHERE org_id = :o"), {"o": org_id}).scalar()
        c.execute(text("INSERT INTO app_user (org_id, login, name, password_hash, department_id, active, failed_logins, "
                       "created_at) VALUES (:o, 'bench', 'bench', 'x', :d, :t, 0, :now)"),
                  {"o": org_id, "d": dept, "t": True, "now": _ts(now, engine.dialect.name == "sqlite")})
        user = c.execute(text("SELECT id FROM app_user WHERE login = 'bench'")).scalar()
        topics = [r[0] for r in c.execute(text("SELECT id FROM category WHERE org_id = :o AND taxonomy = 'topic'"),
                                          {"o": org_id})]
        areas = [r[0] for r in c.execute(text("SELECT id FROM category WHERE org_id = :o AND taxonomy = 'area'"),
                                         {"o": org_id})]
    return org_id, [dept, user], topics + [-1] + areas  # -1 separates topics from areas


def _item_rows(n: int, org_id: int, dept: int, user: int, topics: list[int], areas: list[int], sqlite: bool) -> Iterator[tuple]:
    rnd = random.Random(7)
    start, _ = year_bounds_utc(YEAR)
    for i in range(n):
        when = start + timedelta(seconds=rnd.randrange(365 * 86400))
        yield (org_id, dept, user, f"信息{i}", "", "", "", "[]", topics[i % len(topics)], areas[i % len(areas)],
               _channels(i), "repost" if i % 7 == 0 else "original",
               "on_application" if i % 50 == 0 else "proactive", i % 3 != 0, "published", False, False, False, 0,
               "[]", 1, _ts(when, sqlite), _ts(when, sqlite), _ts(when, sqlite), False)


def _channels(i: int) -> str:
    chosen = ["portal"] + (["mp"] if i % 2 == 0 else []) + ([f"wecom_group:{g}" for g in GROUPS] if i % 10 == 0 else [])
    return json.dumps(chosen + (["board"] if i % 20 == 0 else []))


def _expected_channels(n_items: int) -> dict[str, int]:
    """What the tally must find: _load writes item 0 once alone, then items 0 … n-2."""
    ids = [0, *range(n_items - 1)]
    groups, boards = sum(i % 10 == 0 for i in ids), sum(i % 20 == 0 for i in ids)
    return {"portal": n_items, "mp": sum(i % 2 == 0 for i in ids), "wecom_group": groups,
            "wecom_group_posts": len(GROUPS) * groups, "board": boards, "board_posted": boards}


_BOARD_SQL = """
INSERT INTO publication (org_id, item_id, revision_id, content_hash, channel, target, state, due_at, attempts,
                         progress, idempotency_key, created_at, updated_at, sent_at, confirmed_at)
SELECT org_id, id, :rev, 'x', 'board', '', 'confirmed', published_at, 1, '{}',
       'board:' || CAST(id AS VARCHAR(20)), published_at, published_at, published_at, published_at
FROM item WHERE org_id = :org AND CAST(channels AS VARCHAR) LIKE '%"board"%'
"""
_NOTICE_SQL = """
INSERT INTO board_notice (org_id, item_id, publication_id, revision_id, title, link_url, issued_on, state, pages,
                          location, posted_by, posted_at, created_at)
SELECT org_id, item_id, id, revision_id, '', '', sent_at, 'posted', 1, '一楼大厅', :user, sent_at, sent_at
FROM publication WHERE org_id = :org AND channel = 'board'
"""


def _load_board_notices(engine: Engine, org_id: int, user: int) -> None:
    """A board publication and a posted notice for each item that chose the board (one shared revision row)."""
    now = _ts(datetime.now(UTC), engine.dialect.name == "sqlite")
    with engine.begin() as c:
        first = c.execute(text("SELECT MIN(id) FROM item WHERE org_id = :o"), {"o": org_id}).scalar()
        c.execute(text("INSERT INTO revision (org_id, item_id, number, created_by, created_at, content, content_hash) "
                       "VALUES (:o, :i, 1, :u, :now, '{}', 'x')"), {"o": org_id, "i": first, "u": user, "now": now})
        rev = c.execute(text("SELECT id FROM revision WHERE item_id = :i"), {"i": first}).scalar()
        c.execute(text(_BOARD_SQL), {"org": org_id, "rev": rev})
        c.execute(text(_NOTICE_SQL), {"org": org_id, "user": user})


def _load(engine: Engine, n_items: int, n_apps: int) -> int:
    sqlite = engine.dialect.name == "sqlite"
    org_id, (dept, user), cats = _prepare(engine)
    cut = cats.index(-1)
    topics, areas = cats[:cut], cats[cut + 1:]
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        now = _ts(datetime.now(UTC), sqlite)
        cur.execute(f"INSERT INTO item ({', '.join(ITEM_COLS)}) VALUES ({', '.join(['%s'] * len(ITEM_COLS))})"
                    .replace("%s", "?" if sqlite else "%s"),
                    next(_item_rows(1, org_id, dept, user, topics, areas, sqlite)))
        rows = _item_rows(n_items - 1, org_id, dept, user, topics, areas, sqlite)
        _bulk(cur, sqlite, "item", ITEM_COLS, rows)
        rnd = random.Random(11)
        apps = []
        for i in range(n_apps):
            received = date(YEAR, 1, 1) + timedelta(days=rnd.randrange(365) - 30)
            replied = received + timedelta(days=rnd.randrange(40)) if i % 10 else None
            apps.append((org_id, f"A{i}", "online", received, APPLICANTS[i % 6], "", "", 0, 0,
                         received + timedelta(days=28), False, replied, RESULTS[i % 6] if replied else None, "[]", "",
                         now, now))
        _bulk(cur, sqlite, "disclosureapplication", APP_COLS, iter(apps))
        raw.commit()
    finally:
        raw.close()
    _load_board_notices(engine, org_id, user)
    with engine.begin() as c:
        c.execute(text("ANALYZE"))
    return org_id


def _bulk(cur, sqlite: bool, table: str, cols: tuple[str, ...], rows: Iterator[tuple], chunk: int = 50_000) -> None:
    if sqlite:
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= chunk:
                cur.executemany(sql, batch)
                batch.clear()
        if batch:
            cur.executemany(sql, batch)
        return
    with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _best(fn, runs: int = 3) -> float:
    fn()  # warm-up
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _measure(engine: Engine, label: str, n_items: int, n_apps: int) -> dict:
    org_id = _load(engine, n_items, n_apps)
    start, end = year_bounds_utc(YEAR)
    from sqlalchemy import bindparam

    from content.models.base import UTCDateTime

    floor_stmt = text(FLOOR_SQL).bindparams(bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime()))

    def floor():
        with engine.connect() as c:
            c.execute(floor_stmt, {"org": org_id, "start": start, "end": end}).all()

    expected_channels = _expected_channels(n_items)

    def whole():
        with Session(engine) as s:
            result = tally(s, org_id=org_id, year=YEAR)
        assert result["items"]["published"] == n_items
        assert result["items"]["by_channel"] == expected_channels, result["items"]["by_channel"]

    floor_s, figure_s = _best(floor), _best(whole)
    return {"name": f"年度统计（{label}，{n_items:,} 条信息 + {n_apps:,} 件申请）", "figure": round(figure_s, 3),
            "unit": "秒", "floor": round(floor_s, 3), "floor_name": "同表一次 GROUP BY",
            "target": f"≤ {TARGET_RATIO:g}× 基线", "met": figure_s <= TARGET_RATIO * floor_s}


def run(quick: bool) -> list[dict]:
    load_all_models()
    n_items, n_apps = (100_000, 10_000) if quick else (1_000_000, 100_000)
    rows = []
    with sqlite_engine() as engine:
        rows.append(_measure(engine, "SQLite", n_items, n_apps))
    with pg_engine() as engine:
        if engine is None:
            rows.append({"name": "年度统计（PostgreSQL）", "figure": None, "unit": "秒", "floor": None,
                         "floor_name": "同表一次 GROUP BY", "target": "PostgreSQL 不可用，未测", "met": None})
        else:
            rows.append(_measure(engine, "PostgreSQL", n_items, n_apps))
    return rows


if __name__ == "__main__":
    for row in run(quick=os.environ.get("QUICK", "1") == "1"):
        print(row)
