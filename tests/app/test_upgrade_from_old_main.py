"""A database made by an older `main` (the demo town, `gongkai init --demo` at f8e0b51, before the file store,
sessions, publication keys and the layout change) upgrades to the one head with nothing lost.

The fixtures are plain SQL dumps of that database (`sqlite3 .dump`, `pg_dump --inserts`), loaded into a fresh
SQLite file and a throwaway PostgreSQL database."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app.migrate import is_at_head, upgrade
from content.db.db import make_engine
from content.files import DirectoryBackend
from content.files.store import read_verified
from content.models import Item, ReviewStep, Revision, User
from content.store import content_hash
from tests.conftest import throwaway_database

FIXTURES = Path(__file__).parent / "fixtures"
COUNTED = ("organization", "department", "app_user", "item", "revision", "review", "reviewstep", "publication",
           "auditevent", "category", "notification")

def _dump(kind: str) -> str:
    return gzip.decompress((FIXTURES / f"main-f8e0b51-demo.{kind}.sql.gz").read_bytes()).decode("utf-8")

@pytest.fixture(params=["sqlite", "postgresql"])
def old_engine(request, tmp_path):
    with throwaway_database(request.param, tmp_path, prefix="gongkai_oldmain") as url:
        if request.param == "sqlite":
            with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
                conn.executescript(_dump("sqlite"))
        else:
            loader = make_engine(url)  # its own connection: pg_dump's SET statements stay in that session
            raw = loader.raw_connection()
            try:
                with raw.cursor() as cur:
                    cur.execute(_dump("postgresql"))
                raw.commit()
            finally:
                raw.close()
                loader.dispose()
        engine = make_engine(url)
        yield engine
        engine.dispose()


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in COUNTED}

def test_the_old_demo_database_upgrades_to_the_head_with_nothing_lost(old_engine, tmp_path, monkeypatch):
    files_dir = tmp_path / "files"
    monkeypatch.setenv("GONGKAI_FILES_DIR", str(files_dir))  # where the file-store migration puts the demo's files
    before = _counts(old_engine)
    assert before["item"] > 5 and before["app_user"] > 5  # the fixture really is the demo town
    with old_engine.connect() as conn:  # the old schema: plain SQL, not today's models
        titles = sorted(conn.execute(text("SELECT title FROM item")).scalars())
        logins = sorted(conn.execute(text("SELECT login FROM app_user")).scalars())
    assert not is_at_head(old_engine)

    upgrade(old_engine)

    assert is_at_head(old_engine)
    assert _counts(old_engine) == before | {"auditevent": _counts(old_engine)["auditevent"]}
    assert _counts(old_engine)["auditevent"] >= before["auditevent"]  # the file move adds events, deletes none
    backend = DirectoryBackend(files_dir)
    with Session(old_engine) as s:
        assert sorted(i.title for i in s.exec(select(Item)).all()) == titles
        assert sorted(u.login for u in s.exec(select(User)).all()) == logins
        for item in s.exec(select(Item)).all():
            assert "data:" not in json.dumps([item.body_html, item.cover_image, item.attachments])
            if item.cover_image:  # the demo's covers now live in the store, intact
                assert read_verified(backend, item.cover_image.removeprefix("/files/"))
        revisions = s.exec(select(Revision)).all()
        assert revisions and all(r.content_hash == content_hash(r.content) for r in revisions)
        known = {r.content_hash for r in revisions}
        assert all(step.content_hash in known for step in s.exec(select(ReviewStep)).all() if step.content_hash)
    with old_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM installation")).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM publication WHERE uid IS NULL")).scalar_one() == 0
