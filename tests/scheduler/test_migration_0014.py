"""Migration 0014 on a database holding many publications: on PostgreSQL the backfill is two set-based UPDATEs
(gen_random_uuid), on SQLite batches of 1,000 rows; either way every row gets its own 32-hex uid and only the
rows that never went out get the new key. Both databases."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa

from app.migrate import upgrade
from tests.scheduler.test_idempotency_keys import _insert, drop, empty_database

ROWS = 2_500  # more than two SQLite batches
STATES = ("confirmed", "pending", "failed", "sent")


def test_backfill_of_many_rows_gives_unique_uids_and_new_keys_to_unsent_rows_only(engine, tmp_path):
    db = empty_database(engine, tmp_path)
    try:
        upgrade(db, "0011_merge_heads")
        meta = sa.MetaData()
        meta.reflect(db)
        t = meta.tables
        with db.begin() as conn:
            org = _insert(conn, t["organization"], code="big-town", name="大镇")
            dept = _insert(conn, t["department"], org_id=org, name="党政办")
            user = _insert(conn, t["app_user"], org_id=org, login="old", name="old", department_id=dept)
            item = _insert(conn, t["item"], org_id=org, department_id=dept, drafter_id=user, title="旧稿",
                           attachments=[], channels=["portal"], check_warnings=[], state="approved")
            rev = _insert(conn, t["revision"], org_id=org, item_id=item, number=1, created_by=user,
                          content_hash="h" * 64)
            now = datetime.now(UTC)
            conn.execute(t["publication"].insert(), [
                {"org_id": org, "item_id": item, "revision_id": rev, "content_hash": "h" * 64, "target": "",
                 "progress": {}, "channel": "portal", "state": STATES[n % 4], "attempts": 0 if n % 8 == 1 else 1,
                 "idempotency_key": f"gk-old-{n}", "due_at": now, "created_at": now, "updated_at": now}
                for n in range(ROWS)])  # fmt: skip
        upgrade(db)
        with db.connect() as conn:
            installation = conn.execute(sa.text("SELECT uid FROM installation")).scalar_one()
            rows = conn.execute(sa.text("SELECT uid, state, attempts, idempotency_key FROM publication")).all()
    finally:
        drop(db)
    assert len(rows) == ROWS and len({r.uid for r in rows}) == ROWS
    assert all(re.fullmatch(r"[0-9a-f]{32}", r.uid) for r in rows)
    fresh = [r for r in rows if r.state == "pending" and r.attempts == 0]
    assert len(fresh) == len(range(1, ROWS, 8)) and all(r.idempotency_key == f"gk-{installation}-{r.uid}" for r in fresh)
    assert all(r.idempotency_key.startswith("gk-old-") for r in rows if r not in fresh)
