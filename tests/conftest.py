"""Shared fixtures: the contract suite runs on SQLite always and on PostgreSQL when reachable.

PostgreSQL: each test run creates its own throwaway database on GONGKAI_TEST_PG_URL's server
(default postgresql://postgres@127.0.0.1:5432/test) and drops it afterwards. Under CI=true an
unreachable server fails the run; elsewhere the PostgreSQL variants are skipped with the reason.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("GONGKAI_ARGON2_PROFILE", "test")
# The suite talks to the loopback emulators: sandbox mode, as `make run` asks for it (tests of the
# production rules clear GONGKAI_* themselves, see tests/deploy/test_startup.py).
os.environ.setdefault("GONGKAI_SANDBOX", "1")
# No test writes into the working tree's ./files: a store per test process unless a test names its own.
os.environ.setdefault("GONGKAI_FILES_DIR", tempfile.mkdtemp(prefix="gongkai-test-files-"))
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

from app.migrate import upgrade
from app.model_registry import load_all_models
from content import accounts
from content.db.db import make_engine
from content.seed import seed_org

if Path(os.environ["GONGKAI_FILES_DIR"]).name.startswith("gongkai-test-files-"):
    atexit.register(shutil.rmtree, os.environ["GONGKAI_FILES_DIR"], True)

PG_ADMIN_URL = os.environ.get("GONGKAI_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PASSWORD = "pass-word-123"

load_all_models()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection closing checkpoints and removes the WAL file
    assert not path.with_name(path.name + "-wal").exists()
    return path


@contextmanager
def throwaway_database(kind: str, tmp_path: Path, prefix: str = "gongkai_test") -> Iterator[str]:
    """The URL of a new, empty database: a SQLite file under tmp_path, or a PostgreSQL database on
    GONGKAI_TEST_PG_URL's server that is dropped afterwards (unreachable: the test fails under CI, else skips)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / f'{prefix}-{uuid.uuid4().hex[:8]}.db'}"
        return
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any connection failure means the same thing here
        admin.dispose()
        msg = f"PostgreSQL unreachable at {PG_ADMIN_URL}: {type(exc).__name__}"
        if IN_CI:
            pytest.fail(msg + " (CI requires it)", pytrace=False)
        pytest.skip(msg)
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_url(tmp_path_factory) -> Iterator[str]:
    """A migrated throwaway PostgreSQL database for this test run."""
    with throwaway_database("postgresql", tmp_path_factory.getbasetemp()) as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def pg_engine(pg_url) -> Engine:
    engine = make_engine(pg_url, pool_size=10, max_overflow=20)
    yield engine
    engine.dispose()


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def sqlite_engine(sqlite_template, tmp_path) -> Engine:
    path = tmp_path / "gongkai.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request) -> Engine:
    """The contract fixture: every test using it runs on both databases."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_engine")
    pg = request.getfixturevalue("pg_engine")
    _truncate_all(pg)
    return pg


@pytest.fixture
def db_url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@dataclass
class World:
    """A small town: two departments, one user per role, ids only (use a fresh Session to load)."""

    org_id: int
    dept_a: int
    dept_b: int
    drafter: int
    drafter2: int
    drafter_b: int
    head_a: int
    head_b: int
    leader: int
    leader_b: int
    principal: int
    admin: int
    password: str = PASSWORD


def build_world(engine: Engine) -> World:
    with Session(engine) as s:
        org, _ = seed_org(s, code="test-town", name="测试镇")
        a = accounts.create_department(s, org_id=org.id, name="党政办")
        b = accounts.create_department(s, org_id=org.id, name="经济发展办")

        def user(login, role, dept=None, oversees=None):
            return accounts.create_user(s, org_id=org.id, login=login, name=login, password=PASSWORD,
                                        roles=role, department=dept, oversees=oversees).id

        w = World(
            org_id=org.id, dept_a=a.id, dept_b=b.id,
            drafter=user("drafter", "drafter", "党政办"),
            drafter2=user("drafter2", "drafter", "党政办"),
            drafter_b=user("drafter_b", "drafter", "经济发展办"),
            head_a=user("head_a", "dept_head", "党政办"),
            head_b=user("head_b", "dept_head", "经济发展办"),
            leader=user("leader", "leader", oversees=["党政办"]),
            leader_b=user("leader_b", "leader", oversees=["经济发展办"]),
            principal=user("principal", "principal"),
            admin=user("admin", "admin"),
        )  # fmt: skip
        s.commit()
        return w


@pytest.fixture
def world(engine) -> World:
    return build_world(engine)
