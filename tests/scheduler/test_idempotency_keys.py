"""Idempotency keys stay unique across installations and restores (issue #14, high).

The portal emulator answers a key it knows with the post it stored for it — like a real portal — so a key
that repeats across two databases would make gongkai record someone else's article as its own. Two
databases on one emulator: a restored backup (ids used again) and a second installation.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime

import httpx
import sqlalchemy as sa
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, select

from app.migrate import upgrade
from content import store
from content.db.db import make_engine
from content.models import Item, Publication, User
from content.models.publication import Installation
from content.review import chain as workflow
from scheduler import reconcile
from scheduler.dispatch import dispatch_once
from tests.conftest import PG_ADMIN_URL
from tests.scheduler.helpers import cfg


# ---- databases ------------------------------------------------------------------------------------
def _pg_admin() -> Engine:
    return make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def clone_database(engine: Engine, tmp_path) -> Engine:
    """A copy of the database as it is now: what `deploy/backup.sh` + `restore.sh` would give."""
    if engine.dialect.name == "sqlite":
        target = tmp_path / f"clone-{uuid.uuid4().hex[:6]}.db"
        src = sqlite3.connect(engine.url.database)
        dst = sqlite3.connect(target)
        src.backup(dst)
        src.close()
        dst.close()
        return make_engine(f"sqlite:///{target}")
    name = f"gk_clone_{uuid.uuid4().hex[:10]}"
    engine.dispose()  # CREATE DATABASE … TEMPLATE needs the source without connections
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{engine.url.database}"'))
    admin.dispose()
    return make_engine(make_url(engine.url).set(database=name).render_as_string(hide_password=False))


def empty_database(engine: Engine, tmp_path) -> Engine:
    """A new, empty database on the same backend (not migrated)."""
    if engine.dialect.name == "sqlite":
        return make_engine(f"sqlite:///{tmp_path / f'empty-{uuid.uuid4().hex[:6]}.db'}")
    name = f"gk_empty_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_engine(make_url(engine.url).set(database=name).render_as_string(hide_password=False))


def drop(engine: Engine) -> None:
    engine.dispose()
    if engine.dialect.name == "postgresql":
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{engine.url.database}" WITH (FORCE)'))
        admin.dispose()


# ---- items through the real review chain ----------------------------------------------------------
def approve(engine: Engine, world, title: str) -> int:
    with Session(engine) as s:
        item = store.create_item(s, actor=s.get(User, world.drafter), data={
            "title": title, "body_html": f"<p>{title}</p>", "topic": "其他", "channels": ["portal"]})  # fmt: skip
        s.commit()
        item_id = item.id
        for actor, action in ((world.drafter, "submit"), (world.head_a, "approve"), (world.leader, "approve")):
            workflow.apply_action(s, item_id=item_id, actor=s.get(User, actor), action=action)
            s.commit()
    return item_id


def rows(engine: Engine) -> list[tuple[Publication, Item]]:
    with Session(engine) as s:
        return list(s.exec(select(Publication, Item).join(Item, Item.id == Publication.item_id)).all())


def assert_every_url_is_ours(engine: Engine, portal_emulator) -> None:
    """No row is recorded published with the URL of a post that is not its item's."""
    by_url = {f"{portal_emulator.url}/posts/{p.id}.html": p for p in portal_emulator.posts.values()}
    for pub, item in rows(engine):
        if pub.remote_url is not None or pub.state in ("sent", "confirmed"):
            post = by_url[pub.remote_url]
            assert post.title == item.title, (pub.id, item.title, post.title)


# ---- tests ----------------------------------------------------------------------------------------
def test_new_rows_carry_a_key_made_of_installation_and_publication_uids(engine, world):
    item_id = approve(engine, world, "关于秋季征兵的通告")
    with Session(engine) as s:
        installation = s.exec(select(Installation.uid)).one()
        [pub] = s.exec(select(Publication).where(Publication.item_id == item_id)).all()
        assert len(pub.uid) == 32 and pub.idempotency_key == f"gk-{installation}-{pub.uid}"
        assert str(item_id) not in pub.idempotency_key.split("-")  # nothing that a restore makes repeat


def test_restored_backup_reusing_ids_never_records_the_older_article(engine, world, portal_emulator, registry,
                                                                     tmp_path):
    approve(engine, world, "备份之前发布的公告")
    assert dispatch_once(engine, registry, cfg()).outcomes == {"confirmed": 1}
    backup = clone_database(engine, tmp_path)
    try:
        after_backup = approve(engine, world, "备份之后发布的公告")  # lost by the restore below
        assert dispatch_once(engine, registry, cfg()).outcomes == {"confirmed": 1}
        restored = backup  # the older backup restored: the next item gets the lost item's id again
        reused = approve(restored, world, "恢复之后的新公告")
        assert reused == after_backup
        assert dispatch_once(restored, registry, cfg()).outcomes == {"confirmed": 1}
        assert sorted(p.title for p in portal_emulator.live_posts()) == sorted(
            ["备份之前发布的公告", "备份之后发布的公告", "恢复之后的新公告"])
        assert_every_url_is_ours(engine, portal_emulator)
        assert_every_url_is_ours(restored, portal_emulator)
    finally:
        drop(backup)


def test_two_installations_on_one_portal_keep_their_own_posts(engine, world, portal_emulator, registry, tmp_path):
    other = clone_database(engine, tmp_path)  # a second town set up from the same image
    try:
        with Session(other) as s:  # its own `gongkai init`: a new installation id
            s.exec(text("UPDATE installation SET uid = :u").bindparams(u=uuid.uuid4().hex))
            s.commit()
        for n in range(4):
            assert approve(engine, world, f"甲镇公告{n}") == approve(other, world, f"乙镇公告{n}")
        dispatch_once(engine, registry, cfg())
        dispatch_once(other, registry, cfg(worker="w2"))
        assert len(portal_emulator.live_posts()) == 8
        for db in (engine, other):
            assert {p.state for p, _ in rows(db)} == {"confirmed"}
            assert_every_url_is_ours(db, portal_emulator)
    finally:
        drop(other)


def _plant(portal_emulator, key: str, title: str) -> None:
    """Another system's post stored under `key` (what an old-style colliding key found)."""
    resp = httpx.post(f"{portal_emulator.url}/api/v1/posts", headers={
        "Idempotency-Key": key, "Authorization": "Bearer portal-token"},
        json={"title": title, "column": "T05", "body_html": "<p>旧文</p>"})  # fmt: skip
    assert resp.status_code == 201


def test_a_reply_that_is_not_our_post_is_an_error_not_a_confirmation(engine, world, portal_emulator, registry):
    item_id = approve(engine, world, "关于新学期开学的通知")
    with Session(engine) as s:
        [pub] = s.exec(select(Publication).where(Publication.item_id == item_id)).all()
    _plant(portal_emulator, pub.idempotency_key, "三年前的旧公告")
    assert dispatch_once(engine, registry, cfg()).outcomes == {"failed": 1}
    with Session(engine) as s:
        row = s.get(Publication, pub.id)
        assert row.state == "failed" and row.remote_url is None
        assert "门户返回的稿件与本稿不一致" in row.last_error
        assert s.get(Item, item_id).state != "published"


def test_reconciliation_does_not_adopt_a_foreign_post(engine, world, portal_emulator, registry):
    item_id = approve(engine, world, "关于防汛值班的通知")
    with Session(engine) as s:
        [pub] = s.exec(select(Publication).where(Publication.item_id == item_id)).all()
        pub_id, key = pub.id, pub.idempotency_key
        s.exec(text("UPDATE publication SET state = 'unknown' WHERE id = :i").bindparams(i=pub_id))
        s.commit()
    _plant(portal_emulator, key, "别处的稿件")
    assert reconcile.reconcile_unknown(engine, registry, cfg()) == {"failed": 1}
    with Session(engine) as s:
        row = s.get(Publication, pub_id)
        assert row.state == "failed" and row.remote_url is None
        assert "门户返回的稿件与本稿不一致" in row.last_error


def _insert(conn, table: sa.Table, **values) -> int:
    """One row as the schema of that revision wants it: required columns get plain filler values."""
    now = datetime.now(UTC)
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key or column.server_default is not None:
            continue
        kind = type(column.type).__name__.upper()
        values[column.name] = (now if "DATE" in kind or "TIME" in kind else False if "BOOL" in kind
                               else 0 if "INT" in kind else {} if "JSON" in kind else uuid.uuid4().hex[:8])
    return conn.execute(table.insert().values(**values)).inserted_primary_key[0]


def test_migration_gives_existing_rows_uids_and_unsent_rows_new_keys(engine, tmp_path):
    db = empty_database(engine, tmp_path)
    try:
        upgrade(db, "0011_merge_heads")
        meta = sa.MetaData()
        meta.reflect(db)
        t = meta.tables
        with db.begin() as conn:
            org = _insert(conn, t["organization"], code="old-town", name="旧镇")
            dept = _insert(conn, t["department"], org_id=org, name="党政办")
            user = _insert(conn, t["app_user"], org_id=org, login="old", name="old", department_id=dept)
            item = _insert(conn, t["item"], org_id=org, department_id=dept, drafter_id=user, title="旧稿",
                           attachments=[], channels=["portal", "mp"], check_warnings=[], state="approved")
            rev = _insert(conn, t["revision"], org_id=org, item_id=item, number=1, created_by=user,
                          content_hash="h" * 64)
            base = dict(org_id=org, item_id=item, revision_id=rev, content_hash="h" * 64, target="", progress={})
            _insert(conn, t["publication"], **base, channel="portal", state="confirmed", attempts=1,
                    idempotency_key="gk-1-1-1-portal-0")
            _insert(conn, t["publication"], **base, channel="mp", state="pending", attempts=0,
                    idempotency_key="gk-1-1-1-mp-0")
        upgrade(db)
        with Session(db) as s:
            installation = s.exec(select(Installation.uid)).one()
            pubs = {p.channel: p for p in s.exec(select(Publication)).all()}
        assert len({p.uid for p in pubs.values()}) == 2 and all(len(p.uid) == 32 for p in pubs.values())
        assert pubs["portal"].idempotency_key == "gk-1-1-1-portal-0"  # went out under that key: kept
        assert pubs["mp"].idempotency_key == f"gk-{installation}-{pubs['mp'].uid}"
    finally:
        drop(db)


def test_installation_id_is_kept_and_made_again_only_when_missing(engine):
    from content.outbox import installation_uid

    with Session(engine) as s:
        first = installation_uid(s)
        assert installation_uid(s) == first
        s.exec(text("DELETE FROM installation"))
        made = installation_uid(s)
        s.commit()
    assert made != first and len(made) == 32
    with Session(engine) as s:
        assert installation_uid(s) == made
