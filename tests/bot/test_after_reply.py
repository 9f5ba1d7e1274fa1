"""After-reply work: coalesced delivery on the event loop, the single SQLite callback thread."""

from __future__ import annotations

import asyncio
import threading

from sqlmodel import Session, select

from bot.callbacks.after_reply import AfterReply, CallbackRunner
from bot.commands.context import AfterWork
from content.models import Notification
from tests.bot.conftest import bind
from tests.content.helpers import act, make_item


def test_replies_during_a_delivery_run_join_it_and_nothing_is_left(emu, engine, world, settings):
    bind(engine, world.head_a, wecom="head-a")
    after = AfterReply(engine, settings, CallbackRunner(engine))
    finished: list[str] = []

    async def reply(name: str) -> None:
        await after(AfterWork())
        finished.append(name)

    async def burst() -> None:
        first = asyncio.create_task(reply("first"))
        await asyncio.sleep(0)  # the first reply starts the run and waits to gather
        act(engine, world.drafter, make_item(engine, world.drafter), "submit")  # answered meanwhile
        await reply("second")  # finds the run pending: returns at once
        assert finished == ["second"] and not first.done()
        await first

    act(engine, world.drafter, make_item(engine, world.drafter), "submit")
    asyncio.run(burst())
    assert finished == ["second", "first"]
    with Session(engine) as s:
        assert {n.state for n in s.exec(select(Notification))} == {"sent"}
    assert len(emu.records(api="wecom", endpoint="message/send")) == 2


def test_sqlite_callbacks_run_on_one_thread_in_arrival_order(engine):
    runner = CallbackRunner(engine)
    seen: list[tuple[int, str]] = []

    def work(n: int) -> int:
        seen.append((n, threading.current_thread().name))
        return n * n

    async def many() -> list[int]:
        return await asyncio.gather(*(runner.run(work, n) for n in range(20)))

    try:
        assert asyncio.run(many()) == [n * n for n in range(20)]
    finally:
        runner.close()
    threads = {name for _, name in seen}
    if engine.dialect.name == "sqlite":
        assert [n for n, _ in seen] == list(range(20)) and len(threads) == 1
        assert threads.pop().startswith("gongkai-callbacks")
    else:
        assert not any(name.startswith("gongkai-callbacks") for name in threads)


def test_delivery_waits_while_a_callback_is_in_flight(emu, engine, world, settings):
    bind(engine, world.head_a, wecom="head-a")
    act(engine, world.drafter, make_item(engine, world.drafter), "submit")
    runner = CallbackRunner(engine)
    after = AfterReply(engine, settings, runner)
    release = threading.Event()
    sends_while_busy: list[int] = []

    async def scenario() -> None:
        callback = asyncio.create_task(runner.run(release.wait, 10))  # a callback still being answered
        delivery = asyncio.create_task(after(AfterWork()))
        await asyncio.sleep(after.GATHER_SECONDS + 0.4)
        sends_while_busy.append(len(emu.records(api="wecom", endpoint="message/send")))
        release.set()
        await callback
        await delivery

    try:
        asyncio.run(scenario())
    finally:
        release.set()
        runner.close()
    assert sends_while_busy == [0]
    assert len(emu.records(api="wecom", endpoint="message/send")) == 1
