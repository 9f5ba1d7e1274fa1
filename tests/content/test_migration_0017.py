"""Migration 0017 on a database holding items with every kind of channel entry: each entry becomes an
`item_channel` row, the items' lists and their revisions (content and hash) stay byte for byte, and entries
that could not be published (no such channel, a robot that does not exist or is another org's) get no row.
Both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from app.migrate import upgrade
from content.store import content_hash
from tests.scheduler.test_idempotency_keys import _insert, drop, empty_database

BATCH_PLUS = 1_100  # more than one batch of the conversion


def test_every_kind_of_entry_becomes_a_row_and_revisions_stay_as_they_were(engine, tmp_path):
    db = empty_database(engine, tmp_path)
    try:
        upgrade(db, "0016_merge_heads")
        meta = sa.MetaData()
        meta.reflect(db)
        t = meta.tables
        with db.begin() as conn:
            org = _insert(conn, t["organization"], code="old-town", name="老镇")
            other = _insert(conn, t["organization"], code="next-town", name="邻镇")
            dept = _insert(conn, t["department"], org_id=org, name="党政办")
            user = _insert(conn, t["app_user"], org_id=org, login="old", name="old", department_id=dept)
            east = _insert(conn, t["robot_group"], org_id=org, name="东村网格群", webhook_url="https://x/e")
            gone = _insert(conn, t["robot_group"], org_id=org, name="旧群", webhook_url="https://x/g", active=False)
            foreign = _insert(conn, t["robot_group"], org_id=other, name="邻镇群", webhook_url="https://x/f")
            lists = {
                "all": ["mp", "portal", "board", f"wecom_group:{east}", f"wecom_group:{gone}"],
                "group_only": [f"wecom_group:{east}"],
                "none": [],
                "odd": ["portal", "portal", "fax", f"wecom_group:{foreign}", "wecom_group:999999", "wecom_group:x"],
            }
            ids, revisions = {}, {}
            for name, channels in lists.items():
                ids[name] = _insert(conn, t["item"], org_id=org, department_id=dept, drafter_id=user, title=name,
                                    attachments=[], channels=channels, check_warnings=[], state="draft")
                content = {"title": name, "channels": channels}
                revisions[name] = (content, content_hash(content))
                _insert(conn, t["revision"], org_id=org, item_id=ids[name], number=1, created_by=user,
                        content=content, content_hash=content_hash(content))
            now = datetime.now(UTC)
            conn.execute(t["item"].insert(), [
                {"org_id": org, "department_id": dept, "drafter_id": user, "title": f"稿{n}", "attachments": [],
                 "check_warnings": [], "state": "published", "channels": ["portal"] if n % 2 else ["mp"],
                 "body_html": "", "digest": "", "author": "", "origin": "original", "disclosure_type": "proactive",
                 "has_full_text": True, "sensitive": False, "emergency": False, "review_incomplete": False,
                 "rejection_count": 0, "version": 1, "imported": False,
                 "created_at": now, "updated_at": now}
                for n in range(BATCH_PLUS)])  # fmt: skip
        upgrade(db)
        with db.connect() as conn:
            found = conn.execute(sa.text("SELECT item_id, kind, target_id FROM item_channel")).all()
            items = {r.id: r for r in conn.execute(sa.select(t["item"].c.id, t["item"].c.channels))}
            stored = {r.item_id: r for r in conn.execute(
                sa.select(t["revision"].c.item_id, t["revision"].c.content, t["revision"].c.content_hash))}
    finally:
        drop(db)
    by_item: dict[int, set] = {}
    for item_id, kind, target in found:
        by_item.setdefault(item_id, set()).add((kind, target))
    assert by_item[ids["all"]] == {("mp", None), ("portal", None), ("board", None), ("wecom_group", east),
                                   ("wecom_group", gone)}
    assert by_item[ids["group_only"]] == {("wecom_group", east)}
    assert ids["none"] not in by_item
    assert by_item[ids["odd"]] == {("portal", None)}
    bulk = [i for i in items if i not in ids.values()]
    assert len(bulk) == BATCH_PLUS and all(len(by_item[i]) == 1 for i in bulk)
    assert sum(1 for i in bulk if by_item[i] == {("portal", None)}) == BATCH_PLUS // 2
    for name, (content, digest) in revisions.items():  # nothing rewritten: lists, snapshots, hashes
        assert items[ids[name]].channels == lists[name]
        assert stored[ids[name]].content == content and stored[ids[name]].content_hash == digest
        assert content_hash(stored[ids[name]].content) == digest
