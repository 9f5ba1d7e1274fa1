"""Migration 0012 end to end: a database at 0011_merge_heads holding data: URIs the way the old code
stored them, upgraded to the heads, on SQLite and on a throwaway PostgreSQL database.

Asserted: every file is in the store (verified bytes, one row per org and hash), no row holds file
bytes any more, each revision's `content_hash` is the hash of its content, the review steps and the
publication name the rewritten hashes (so the publish-time check still passes), and nothing else changed.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import text
from sqlmodel import Session, select

from app.migrate import is_at_head, upgrade
from content.db.db import make_engine
from content.files import DirectoryBackend
from content.files.store import read_verified
from content.models import AuditEvent, Item, Publication, ReviewStep, Revision
from content.store import content_hash
from scheduler.dispatch import verify_content
from tests.conftest import throwaway_database
from tests.web.pages.test_uploads import PDF, png

NOW = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)
PHOTO, OTHER = png(40, seed=1), png(24, seed=2)


def data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


@pytest.fixture(params=["sqlite", "postgresql"])
def old_db_url(request, tmp_path):
    """An empty database URL (SQLite file, or a throwaway PostgreSQL database dropped afterwards)."""
    with throwaway_database(request.param, tmp_path, prefix="gongkai_mig") as url:
        yield url


def migrate(engine, target: str) -> None:
    upgrade(engine, target)


class OldRows:
    """Inserts rows with SQL Core against the 0011 schema (the ORM models are the head's)."""

    def __init__(self, conn) -> None:
        self.conn, self.meta = conn, sa.MetaData()

    def add(self, table: str, **values) -> int:
        t = sa.Table(table, self.meta, autoload_with=self.conn) if table not in self.meta.tables \
            else self.meta.tables[table]
        return self.conn.execute(t.insert().values(**values).returning(t.c.id)).scalar_one()


def content(**fields) -> dict:
    base = {"title": "", "digest": "", "author": "", "body_html": "", "cover_image": None, "attachments": [],
            "topic_id": None, "area_id": None, "channels": ["portal"], "origin": "original", "source_url": None,
            "disclosure_type": "proactive", "has_full_text": True, "publish_at": None, "sensitive": False}
    return {**base, **fields}


def seed_old(conn) -> dict:
    """Three items the old way: published with bytes in rows, a draft sharing a photo, a plain draft."""
    r = OldRows(conn)
    org = r.add("organization", code="old-town", name="旧镇", created_at=NOW)
    dept = r.add("department", org_id=org, name="党政办", active=True)
    user = r.add("app_user", org_id=org, login="drafter", name="拟稿人", password_hash="x", active=True,
                 failed_logins=0, created_at=NOW)
    head = r.add("app_user", org_id=org, login="head", name="负责人", password_hash="x", active=True,
                 failed_logins=0, created_at=NOW)
    photo, other, pdf = data_uri("image/png", PHOTO), data_uri("image/png", OTHER), data_uri("application/pdf", PDF)

    def item(title: str, state: str, c: dict) -> int:
        return r.add("item", org_id=org, department_id=dept, drafter_id=user, title=title, digest="", author="",
                     body_html=c["body_html"], cover_image=c["cover_image"], attachments=c["attachments"],
                     channels=["portal"], origin="original", disclosure_type="proactive", has_full_text=True,
                     state=state, sensitive=False, emergency=False, review_incomplete=False, rejection_count=0,
                     check_warnings=[], version=1, created_at=NOW, updated_at=NOW, imported=False)

    def revision(item_id: int, number: int, c: dict) -> tuple[int, str]:
        h = content_hash(c)
        return r.add("revision", org_id=org, item_id=item_id, number=number, created_by=user, created_at=NOW,
                     content=c, content_hash=h), h

    v1 = content(title="春耕图片新闻", body_html="<p>初稿</p>", cover_image=other)
    v2 = content(title="春耕图片新闻", body_html=f'<p>春耕现场。</p><p><img src="{photo}" alt="春耕"></p>',
                 cover_image=photo, attachments=[{"name": "春耕通知.pdf", "data": pdf}])
    published = item("春耕图片新闻", "published", v2)
    rev1, h1 = revision(published, 1, v1)
    rev2, h2 = revision(published, 2, v2)
    voided = r.add("review", org_id=org, item_id=published, revision_id=rev1, state="voided",
                   started_by=user, started_at=NOW)  # the edit to version 2 restarted the chain
    review = r.add("review", org_id=org, item_id=published, revision_id=rev2, state="approved",
                   started_by=user, started_at=NOW)
    steps = {
        r.add("reviewstep", org_id=org, review_id=rid, item_id=published, gate=gate, assignee_ids=[head],
              decision="approved", after_the_fact=False, reminders=0, content_hash=h, decided_by=head,
              decided_at=NOW): h
        for rid, gate, h in ((voided, "dept_head", h1), (review, "dept_head", h2), (review, "leader", h2))
    }
    pub = r.add("publication", org_id=org, item_id=published, revision_id=rev2, content_hash=h2, channel="portal",
                target="", state="pending", due_at=NOW, attempts=0, progress={}, idempotency_key="portal-old-1",
                created_at=NOW, updated_at=NOW)
    conn.execute(text("UPDATE item SET current_revision_id = :r, approved_revision_id = :r WHERE id = :i"),
                 {"r": rev2, "i": published})
    shared_c = content(title="另一篇用同一张照片", body_html=f"<p><img src='{photo}'></p>")
    shared = item("另一篇用同一张照片", "draft", shared_c)
    revision(shared, 1, shared_c)
    plain_c = content(title="纯文字通知", body_html="<p>无图片</p>")
    plain = item("纯文字通知", "draft", plain_c)
    _, plain_hash = revision(plain, 1, plain_c)
    return {"org": org, "published": published, "shared": shared, "plain": plain, "hashes": (h1, h2),
            "steps": steps, "pub": pub, "plain_hash": plain_hash, "v1": v1, "v2": v2}


def test_upgrade_from_0011_moves_files_and_keeps_every_hash_consistent(old_db_url, tmp_path, monkeypatch):
    files_dir = tmp_path / "store"
    monkeypatch.setenv("GONGKAI_FILES_DIR", str(files_dir))  # the store the migration (and the app) uses
    engine = make_engine(old_db_url)
    try:
        migrate(engine, "0011_merge_heads")
        with engine.begin() as conn:
            old = seed_old(conn)
        migrate(engine, "heads")
        assert is_at_head(engine)
        check_migrated(engine, old, DirectoryBackend(files_dir))
    finally:
        engine.dispose()


def check_migrated(engine, old: dict, backend) -> None:
    sha = {name: hashlib.sha256(data).hexdigest() for name, data in
           (("photo", PHOTO), ("other", OTHER), ("pdf", PDF))}
    with Session(engine) as s:
        with engine.connect() as conn:  # the stored_file table, whatever the ORM's view of it
            files = conn.execute(text("SELECT org_id, sha256, size, mime_type FROM stored_file")).all()
        assert sorted((f.sha256, f.size, f.mime_type) for f in files) == sorted([
            (sha["photo"], len(PHOTO), "image/png"), (sha["other"], len(OTHER), "image/png"),
            (sha["pdf"], len(PDF), "application/pdf")])  # the shared photo is one row
        assert {f.org_id for f in files} == {old["org"]}
        assert read_verified(backend, sha["photo"]) == PHOTO and read_verified(backend, sha["pdf"]) == PDF
        assert read_verified(backend, sha["other"]) == OTHER

        for item in s.exec(select(Item)).all():
            assert "data:" not in json.dumps([item.body_html, item.cover_image, item.attachments])
        for rev in s.exec(select(Revision)).all():
            assert "data:" not in json.dumps(rev.content)
            assert rev.content_hash == content_hash(rev.content)  # every revision matches its hash

        published = s.get(Item, old["published"])
        assert published.cover_image == f"/files/{sha['photo']}"
        assert f'src="/files/{sha["photo"]}"' in published.body_html and "春耕现场。" in published.body_html
        assert published.attachments == [{"name": "春耕通知.pdf", "url": f"/files/{sha['pdf']}", "size": len(PDF),
                                          "mime": "application/pdf"}]
        revs = {r.number: r for r in s.exec(select(Revision).where(Revision.item_id == old["published"]))}
        assert revs[1].content["cover_image"] == f"/files/{sha['other']}"
        assert revs[2].content["body_html"] == published.body_html
        for n, before in ((1, old["v1"]), (2, old["v2"])):  # nothing but the file references changed
            after = revs[n].content
            assert {k: v for k, v in after.items() if k not in ("body_html", "cover_image", "attachments")} == \
                {k: v for k, v in before.items() if k not in ("body_html", "cover_image", "attachments")}
        new1, new2 = revs[1].content_hash, revs[2].content_hash
        assert {new1, new2}.isdisjoint(old["hashes"])

        steps = {st.id: st.content_hash for st in s.exec(select(ReviewStep)).all()}
        mapping = dict(zip(old["hashes"], (new1, new2), strict=True))
        assert steps == {sid: mapping[h] for sid, h in old["steps"].items()}
        pub = s.get(Publication, old["pub"])
        assert pub.content_hash == new2
        _item, _rev, problem = verify_content(s, pub)
        assert problem is None  # the publish-time check passes on the rewritten revision

        events = s.exec(select(AuditEvent).where(AuditEvent.action == "files.migrate")).all()
        assert {e.target_id for e in events} == {old["published"], old["shared"]}
        [event] = [e for e in events if e.target_id == old["published"]]
        assert event.data["content_hashes"] == mapping

        shared = s.get(Item, old["shared"])
        assert shared.body_html == f"<p><img src='/files/{sha['photo']}'></p>"
        plain = s.exec(select(Revision).where(Revision.item_id == old["plain"])).one()
        assert plain.content_hash == old["plain_hash"] and s.get(Item, old["plain"]).body_html == "<p>无图片</p>"
