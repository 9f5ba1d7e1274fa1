"""Throwaway databases for benchmarks: a temp SQLite file and a fresh PostgreSQL database."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from app.migrate import upgrade
from content.db.db import make_engine

PG_BASE = os.environ.get("GONGKAI_BENCH_PG_URL") or os.environ.get(
    "GONGKAI_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


@contextmanager
def sqlite_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def pg_engine() -> Iterator[Engine | None]:
    """A migrated throwaway PostgreSQL database, or None when no server answers."""
    admin = make_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    name = f"gongkai_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:  # noqa: BLE001 - no server: the caller reports the row as not measured
        admin.dispose()
        yield None
        return
    engine = make_engine(make_url(PG_BASE).set(database=name).render_as_string(hide_password=False))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
