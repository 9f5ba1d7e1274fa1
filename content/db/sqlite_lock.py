"""One queue for the SQLite writers of all processes: an flock on a file beside the database.

Every SQLite transaction starts with BEGIN IMMEDIATE (`content.db.db`), taking the database's write lock.
When another process holds it, SQLite's busy handler sleeps in growing steps (1, 2, 5, 10, 15, 20,
25 … ms) before each retry, so a chat callback that meets a 0.3 ms transaction of the delivery process
can lose 8 or 18 ms. Here every connection first takes an exclusive `flock` on `<database>-writer.lock`
and holds it until its transaction ends; a waiter polls that lock every 50 µs to 1 ms, so it starts
within a millisecond of the release; threads of one process queue on a threading lock before that, so
they hand the database to each other at once. The wait is bounded by the connection's timeout, after
which it fails exactly as SQLite would ("database is locked"). A process that dies drops its lock.

A thread that already holds the lock through another connection does not take it again (that would
wait for itself): it falls back to SQLite's busy handler, which times out as before.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time

_held_here = threading.local()  # lock paths this thread holds, through any connection
# Threads of one process queue on a plain lock first (handed over at once, no polling); only the
# winner polls the file, against the other processes.
_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def lock_path(database: str) -> str | None:
    """The lock file of a database file; None for in-memory and URI databases."""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return f"{database}-writer.lock"


class QueuedConnection(sqlite3.Connection):
    """A sqlite3 connection that takes the cross-process writer lock before each transaction.

    Used as `sqlite3.connect(..., factory=QueuedConnection)`; `content.db.db` calls `acquire_writer()`
    right before BEGIN IMMEDIATE. commit, rollback and close release it.
    """

    def __init__(self, database, *args, **kwargs) -> None:
        super().__init__(database, *args, **kwargs)
        self._timeout = float(kwargs.get("timeout", args[0] if args else 5.0))
        self._lock_path = lock_path(os.fspath(database))
        self._fd: int | None = None
        self._held: set[str] | None = None  # while held: the set of the thread that took it

    def acquire_writer(self) -> None:
        if self._lock_path is None or self._held is not None:
            return
        held = getattr(_held_here, "paths", None)
        if held is None:
            held = _held_here.paths = set()
        if self._lock_path in held:
            return  # this thread holds it through another connection: SQLite's busy handler decides
        if self._fd is None:
            try:
                self._fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                self._lock_path = None  # a read-only directory: SQLite's own locking only
                return
        deadline = time.monotonic() + self._timeout
        in_process = _process_lock(self._lock_path)
        if not in_process.acquire(timeout=self._timeout):
            raise sqlite3.OperationalError("database is locked")
        try:
            _wait_for(self._fd, deadline)
        except BaseException:
            in_process.release()
            raise
        held.add(self._lock_path)
        self._held = held

    def _release_writer(self) -> None:
        held, fd, path = self._held, self._fd, self._lock_path
        if held is not None and fd is not None and path is not None:  # held implies an open lock file
            held.discard(path)  # possibly from another thread than the one that took it
            self._held = None
            fcntl.flock(fd, fcntl.LOCK_UN)
            _process_lock(path).release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release_writer()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release_writer()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release_writer()
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


def _process_lock(path: str) -> threading.Lock:
    with _process_locks_guard:
        return _process_locks.setdefault(path, threading.Lock())


def _wait_for(fd: int, deadline: float) -> None:
    pause = 0.00005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise sqlite3.OperationalError("database is locked") from None
            time.sleep(pause)
            pause = min(pause * 2, 0.001)
