"""Where a callback's work runs: its database work off the event loop, its slow work after the reply.

Both are per process and shared by every request of the app (kept on `app.state`):

- `CallbackRunner` runs `pipeline.process` in a thread. On SQLite, which has one writer, that is one
  dedicated thread taking the callbacks in arrival order; a pool would only park its threads on the
  writer lock and hand the GIL and the lock from one to the next for every callback. PostgreSQL takes
  concurrent writers, so there it uses the shared thread pool.
- `AfterReply` runs after the response is sent (a background task of the response): card updates,
  then notification delivery. Delivery is coalesced on the event loop — a burst of replies costs a
  few delivery runs, not one each, and a reply that finds a run pending does no work of its own.

Callbacks first. The platforms give a callback 5 seconds and retry it after that; a notification has
no such deadline. The process has one interpreter lock, so a delivery run sending while callbacks
wait would make them wait for it: before each send, delivery waits (up to MAX_YIELD_SECONDS at a
time) until no callback is queued or running. Under a burst above what one process can both answer
and deliver, the cards arrive later, after the burst, and the replies stay fast.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from bot.commands.context import AfterWork
from bot.delivery_worker import handed_off

log = logging.getLogger("gongkai.bot.callbacks")


class CallbackRunner:
    MAX_YIELD_SECONDS = 1.0

    def __init__(self, engine: Engine) -> None:
        single_writer = engine.dialect.name == "sqlite"
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="gongkai-callbacks") if single_writer else None
        self._in_flight = 0  # changed on the event loop only
        self._idle = threading.Event()
        self._idle.set()

    async def run(self, fn, *args: Any) -> Any:
        self._in_flight += 1
        self._idle.clear()
        try:
            if self._executor is None:
                return await run_in_threadpool(fn, *args)
            return await asyncio.get_running_loop().run_in_executor(self._executor, functools.partial(fn, *args))
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()

    def wait_idle(self) -> bool:
        """Block (a delivery thread) until no callback is queued or running; False after MAX_YIELD_SECONDS."""
        return self._idle.wait(self.MAX_YIELD_SECONDS)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)


class AfterReply:
    """At most one delivery run per process at a time; replies arriving meanwhile only mark it dirty
    and the running one goes round again.

    A run first waits GATHER_SECONDS so the notifications of the callbacks answered meanwhile are
    claimed and read in one batch (one claim transaction for all of them instead of one per reply);
    a person's card arrives that much later, which nobody notices. The flags are only touched on the
    event loop, so they need no lock.
    """

    GATHER_SECONDS = 0.1
    BATCH = 100

    def __init__(self, engine: Engine, settings, runner: CallbackRunner) -> None:
        self.engine, self.settings, self.runner = engine, settings, runner
        self._dirty = False
        self._running = False

    async def __call__(self, after: AfterWork) -> None:
        try:
            if after.card_updates:
                from bot.notify import update_cards

                await run_in_threadpool(update_cards, self.engine, self.settings, after.card_updates)
            await self._deliver()
        except Exception:  # noqa: BLE001 - background work must never take the worker down
            log.exception("after-reply work failed")

    async def _deliver(self) -> None:
        from bot.notify import deliver_pending

        if handed_off(self.settings):  # a delivery process of its own sends them (bot.delivery_worker)
            return
        self._dirty = True
        if self._running:
            return  # the running one sees _dirty and goes round again
        self._running = True
        try:
            while self._dirty:
                await asyncio.sleep(self.GATHER_SECONDS)
                self._dirty = False
                await run_in_threadpool(functools.partial(deliver_pending, self.engine, self.settings,
                                                          limit=self.BATCH, pause=self.runner.wait_idle))
        finally:
            self._running = False
