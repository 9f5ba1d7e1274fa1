"""Engine construction. No module-level engine: `app` builds one and passes it down."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from content.db.sqlite_lock import QueuedConnection


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout and BEGIN IMMEDIATE.

    BEGIN IMMEDIATE makes every SQLite transaction take the write lock up front, so two
    concurrent writers queue instead of failing with SQLITE_BUSY_SNAPSHOT when a read transaction
    tries to upgrade after another writer committed. They queue on a lock file shared by all
    processes (`content.db.sqlite_lock`) rather than in SQLite's busy handler, which sleeps in steps.
    """
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "isolation_level": None, "timeout": 30,
                          "factory": QueuedConnection},
            **kwargs,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            conn.connection.dbapi_connection.acquire_writer()  # all processes' writers queue here
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # Overflow connections are closed when returned, so under steady load a small pool keeps forking
    # PostgreSQL backends; 10 kept + 5 overflow holds the total at SQLAlchemy's default of 15 per
    # process (4 web workers + the scheduler stay under PostgreSQL's default max_connections of 100).
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 5)
    return create_engine(url, **kwargs)


def is_postgres(engine_or_session) -> bool:
    bind = engine_or_session.get_bind() if isinstance(engine_or_session, Session) else engine_or_session
    return bind.dialect.name == "postgresql"


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
