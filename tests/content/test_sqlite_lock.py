"""The SQLite writers' cross-process queue (content.db.sqlite_lock): a lock file beside the database.

SQLite only: PostgreSQL has no such file. The other process is a real one (a child Python).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from content.db.db import make_engine
from content.db.sqlite_lock import QueuedConnection, lock_path

HOLDER = """
import sys
from sqlalchemy import text
from content.db.db import make_engine
engine = make_engine(sys.argv[1])
with engine.begin() as conn:
    conn.execute(text("INSERT INTO t VALUES ('child')"))
    print("held", flush=True)
    if sys.stdin.readline().strip() == "die":
        import os; os._exit(9)
"""


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "q.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (who TEXT)"))
    engine.dispose()
    return path


def _holder(db: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, f"sqlite:///{db}"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
    assert proc.stdout.readline().strip() == "held"
    return proc


def _lock_is_free(db: Path) -> bool:
    fd = os.open(lock_path(str(db)), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def _rows(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return sorted(r[0] for r in conn.execute("SELECT who FROM t"))


def test_a_writer_of_another_process_holds_the_lock_file_until_it_commits_and_the_next_one_follows(db):
    holder = _holder(db)
    assert not _lock_is_free(db)
    engine = make_engine(f"sqlite:///{db}")
    done = threading.Event()

    def write() -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES ('parent')"))
        done.set()

    waiter = threading.Thread(target=write)
    waiter.start()
    assert not done.wait(0.3)  # queued behind the other process
    holder.communicate("commit\n", timeout=10)
    waiter.join(10)
    assert done.is_set() and _rows(db) == ["child", "parent"]
    assert _lock_is_free(db)
    engine.dispose()


def test_a_writer_that_died_mid_transaction_leaves_neither_its_row_nor_the_lock(db):
    holder = _holder(db)
    holder.communicate("die\n", timeout=10)
    assert holder.returncode == 9
    assert _lock_is_free(db)
    engine = make_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES ('after')"))
    assert _rows(db) == ["after"]
    engine.dispose()


def test_the_wait_is_bounded_by_the_connection_timeout_like_sqlites_own(db):
    fd = os.open(lock_path(str(db)), os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a writer that never finishes
    try:
        conn = sqlite3.connect(db, timeout=0.2, factory=QueuedConnection, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            conn.acquire_writer()
        conn.close()
    finally:
        os.close(fd)
    assert _rows(db) == []


def test_rollback_and_close_release_the_lock(db):
    conn = sqlite3.connect(db, factory=QueuedConnection, isolation_level=None)
    for end in (conn.rollback, conn.close):
        conn.acquire_writer()
        conn.execute("BEGIN IMMEDIATE")
        assert not _lock_is_free(db)
        end()
        assert _lock_is_free(db)


def test_a_second_connection_of_the_same_thread_does_not_wait_for_itself(db):
    """It falls back to SQLite's busy handler, which gives up after the timeout instead of hanging."""
    first = sqlite3.connect(db, factory=QueuedConnection, isolation_level=None)
    first.acquire_writer()
    first.execute("BEGIN IMMEDIATE")
    second = sqlite3.connect(db, timeout=0.2, factory=QueuedConnection, isolation_level=None)
    second.acquire_writer()  # returns at once
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        second.execute("BEGIN IMMEDIATE")
    first.rollback()
    second.close()
    first.close()


def test_in_memory_databases_have_no_lock_file():
    assert lock_path(":memory:") is None and lock_path("") is None and lock_path("file:x?mode=memory") is None
    conn = sqlite3.connect(":memory:", factory=QueuedConnection, isolation_level=None)
    conn.acquire_writer()
    conn.execute("BEGIN IMMEDIATE")
    conn.commit()
    conn.close()


def test_threads_of_one_process_queue_too_and_their_wait_is_bounded(db):
    holder = sqlite3.connect(db, factory=QueuedConnection, isolation_level=None, check_same_thread=False)
    holder.acquire_writer()
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO t VALUES ('first')")
    outcome: list[str] = []

    def other_thread(timeout: float) -> None:
        conn = sqlite3.connect(db, timeout=timeout, factory=QueuedConnection, isolation_level=None)
        try:
            conn.acquire_writer()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t VALUES ('second')")
            conn.commit()
            outcome.append("written")
        except sqlite3.OperationalError as exc:
            outcome.append(str(exc))
        finally:
            conn.close()

    impatient = threading.Thread(target=other_thread, args=(0.2,))
    impatient.start()
    impatient.join(10)
    assert outcome == ["database is locked"]
    patient = threading.Thread(target=other_thread, args=(30.0,))
    patient.start()
    patient.join(0.3)
    assert patient.is_alive()  # queued behind the first
    holder.commit()
    patient.join(10)
    assert outcome == ["database is locked", "written"] and _rows(db) == ["first", "second"]
    holder.close()
