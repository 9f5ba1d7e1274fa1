"""Notification delivery in a process of its own, woken by the processes that answer the chat callbacks.

A web process answers each callback and then has notifications to send (the next reviewer's card, the
drafter's progress message). Sending them in the same process costs about as much CPU as answering,
on the same interpreter lock, so under load the answers would wait for the sends. `gongkai serve` and
`gongkai run` therefore start one delivery process (app.delivery_process) and tell every web process
its wake-up socket (`GONGKAI_DELIVERY_SOCKET`): after a reply the web process sends one datagram
(`handed_off`) instead of delivering. The database stays the only channel for the work itself — the
datagram carries nothing, the delivery process claims the pending rows exactly as the scheduler does
(bot.notify: leases, compare-and-set), so any number of deliverers can run side by side.

When nothing listens (no delivery process, or it died), `handed_off` says so and the caller delivers
in-process as before: nothing waits for a process that is not there.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from content.settings import Settings

log = logging.getLogger("gongkai.bot.delivery")
BATCH = 10  # rows per claim: a claim holds SQLite's writer lock, so it stays short
GATHER_SECONDS = 0.05  # after a wake-up: a burst of replies becomes one claim, not one each
IDLE_SECONDS = 5.0  # with no wake-up: look anyway (retries, rows written by other processes)

_sender: socket.socket | None = None
_sender_guard = threading.Lock()
_warned_absent = False


def _socket() -> socket.socket:
    global _sender
    with _sender_guard:
        if _sender is None:
            _sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            _sender.setblocking(False)
        return _sender


def wake(path: str) -> bool:
    """Wake the delivery process listening on `path`; False when none listens."""
    try:
        _socket().sendto(b"!", path)
    except BlockingIOError:
        return True  # its queue is full of wake-ups already: it will look
    except OSError:  # no such socket, or nobody bound to it any more
        return False
    return True


def is_listening(path: str) -> bool:
    """Whether a delivery process has bound `path` (a socket file left by a dead one is not enough)."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        probe.connect(path)
        return True
    except OSError:
        return False
    finally:
        probe.close()


def handed_off(settings: Settings) -> bool:
    """True when a delivery process took the work; False means: deliver in this process."""
    global _warned_absent
    path = settings.delivery_socket
    if not path:
        return False
    if wake(path):
        return True
    if not _warned_absent:
        _warned_absent = True
        log.warning("delivery process not listening at %s; delivering in this process", path)
    return False


def bind(path: str) -> socket.socket:
    """The delivery process's wake-up socket (a stale file of a dead process is replaced)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    sock.bind(path)
    sock.setblocking(False)
    return sock


def _drain(sock: socket.socket) -> None:
    with contextlib.suppress(BlockingIOError):
        while sock.recv(64):
            pass


def serve(engine: Engine, settings: Settings, sock: socket.socket, stop_fds: Sequence[int]) -> None:
    """Deliver until one of `stop_fds` becomes readable (the parent's pipe closed, a signal came).

    After a batch that sent everything it claimed, the next claim follows at once; after an empty
    batch or one with a failed send, it waits for a wake-up or IDLE_SECONDS, so a failing platform
    is retried at that pace rather than in a tight loop.
    """
    from bot.notify import deliver_pending

    while True:
        try:
            counts = deliver_pending(engine, settings, limit=BATCH)
        except Exception:  # noqa: BLE001 - a database or network hiccup must not end the process
            log.exception("delivery run failed")
            counts = {}
        more = sum(counts.values()) > 0 and not counts.get("retry") and not counts.get("failed")
        ready, _, _ = select.select([sock, *stop_fds], [], [], 0 if more else IDLE_SECONDS)
        if any(fd in ready for fd in stop_fds):
            return
        if sock in ready:
            _drain(sock)
            if not more:
                time.sleep(GATHER_SECONDS)  # let the replies of this moment add their rows to one claim
