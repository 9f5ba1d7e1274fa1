"""A database that refuses writes answers 503 `database_read_only`, not "someone else edited this" (409)."""

from __future__ import annotations

import os

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session, func, select

from app.factory import create_app
from content.db.db import make_engine
from content.models import Item
from content.settings import Settings
from tests.web.api.conftest import Api
from tests.web.api.util import item_body


def _read_only_engine(db_url: str, path_to_chmod: list):
    engine = make_engine(db_url)
    if engine.dialect.name == "postgresql":
        @event.listens_for(engine, "connect")
        def _ro(dbapi_conn, _record):
            with dbapi_conn.cursor() as cur:
                cur.execute("SET default_transaction_read_only = on")
            dbapi_conn.commit()
    elif os.geteuid() != 0:  # the real thing: a file the server may not write
        db_file = engine.url.database
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db_file + suffix):
                os.chmod(db_file + suffix, 0o444)
                path_to_chmod.append(db_file + suffix)
    else:  # root writes any file whatever its mode: ask SQLite itself to refuse writes
        @event.listens_for(engine, "connect")
        def _ro(dbapi_conn, _record):
            dbapi_conn.execute("PRAGMA query_only = ON")
    return engine


@pytest.fixture
def client(engine, db_url, tmp_path):
    settings = Settings(database_url=db_url, secret_key="test-secret-key-read-only", files_dir=str(tmp_path / "f"))
    with TestClient(create_app(settings, engine=engine)) as c:
        yield c


@pytest.fixture
def read_only_client(engine, db_url, world, tmp_path):
    engine.dispose()
    chmodded: list[str] = []
    ro = _read_only_engine(db_url, chmodded)
    settings = Settings(database_url=db_url, secret_key="test-secret-key-read-only", files_dir=str(tmp_path / "f"))
    with TestClient(create_app(settings, engine=ro), raise_server_exceptions=False) as c:
        yield c
    for path in chmodded:
        os.chmod(path, 0o644)
    ro.dispose()


def test_writes_to_a_read_only_database_answer_503(client, world, engine, db_url, request):
    api = Api(client, world.password)
    token = api.token("drafter")  # logging in writes a token row: done while the database is writable
    item_id = api.as_("drafter").post("/api/v1/items", json=item_body()).json()["id"]
    ro_client = request.getfixturevalue("read_only_client")
    headers = {"Authorization": f"Bearer {token}"}
    for call in (lambda: ro_client.post("/api/v1/items", json=item_body(title="只读时新建"), headers=headers),
                 lambda: ro_client.patch(f"/api/v1/items/{item_id}", json={"title": "只读时修改"}, headers=headers),
                 lambda: ro_client.post(f"/api/v1/items/{item_id}/submit", headers=headers)):
        r = call()
        assert r.status_code == 503, r.text
        assert r.json()["code"] == "database_read_only" and "只读" in r.json()["message"]
        assert "Traceback" not in r.text
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(Item)).one() == 1
        assert s.get(Item, item_id).state == "draft"
