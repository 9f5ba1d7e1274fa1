"""One in-process queue for SQLite writers.

SQLite has a single writer and `content.db` starts every transaction with BEGIN IMMEDIATE; threads of
one process that collide wait in SQLite's busy handler, which sleeps in growing steps (up to 100 ms),
so a burst of callbacks collapses into seconds of sleeping. Taking a per-engine threading lock first
makes the threads of this process queue in order instead. PostgreSQL needs no such thing.
"""

from __future__ import annotations

import threading
import weakref
from contextlib import AbstractContextManager, nullcontext

from sqlalchemy.engine import Engine

_locks: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_guard = threading.Lock()


def writer_lock(engine: Engine) -> AbstractContextManager:
    if engine.dialect.name != "sqlite":
        return nullcontext()
    with _guard:
        lock = _locks.get(engine)
        if lock is None:
            lock = _locks[engine] = threading.RLock()
        return lock
