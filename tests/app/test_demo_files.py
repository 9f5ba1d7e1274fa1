"""The demo town's files go into the file store (`gongkai init --demo`, `init_demo`), never into rows."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from app.demo import init_demo
from content.files import DirectoryBackend, FileContext
from content.files.models import StoredFile
from content.files.store import read_verified, sha_of_url
from content.models import Item, Organization, Revision
from content.seed import seed_org
from tests.app.test_cli import run


def assert_files_in_store(engine, backend) -> None:
    with Session(engine) as s:
        items = s.exec(select(Item)).all()
        revisions = s.exec(select(Revision)).all()
        rows = {f.sha256: f for f in s.exec(select(StoredFile)).all()}
        org_ids = {o.id for o in s.exec(select(Organization)).all()}
    assert items and revisions
    for item in items:
        assert "data:" not in json.dumps([item.body_html, item.cover_image, item.attachments])
    for rev in revisions:
        assert "data:" not in json.dumps(rev.content)
    covers = {sha_of_url(i.cover_image) for i in items if i.cover_image}
    assert covers and None not in covers  # every cover names a stored file
    for sha in covers:
        assert rows[sha].mime_type == "image/png" and rows[sha].org_id in org_ids
        assert read_verified(backend, sha)[:8] == b"\x89PNG\r\n\x1a\n"


def test_init_demo_stores_the_cover_in_the_given_store(engine, tmp_path):
    with Session(engine) as s:
        seed_org(s, code="demo", name="示例镇人民政府")
        s.commit()
    backend = DirectoryBackend(tmp_path / "store")
    init_demo(engine, org_code="demo", public_url="http://x", files=FileContext(backend))
    assert_files_in_store(engine, backend)


def test_gongkai_init_demo_uses_the_configured_store(tmp_path):
    url, store = f"sqlite:///{tmp_path / 'demo.db'}", tmp_path / "store"
    result = run(url, "init", "--demo", cwd=tmp_path, extra_env={"GONGKAI_FILES_DIR": str(store)})
    assert result.returncode == 0, result.stderr
    from content.db.db import make_engine

    engine = make_engine(url)
    try:
        assert_files_in_store(engine, DirectoryBackend(store))
    finally:
        engine.dispose()
    assert not (tmp_path / "files").exists()  # not the default directory: the configured one
