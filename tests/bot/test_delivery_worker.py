"""Delivery in a process of its own (bot.delivery_worker, app.delivery_process), on both databases.

The web process wakes the delivery process with a datagram instead of sending; without a listener it
delivers itself. The child process is a real one, started exactly as `gongkai serve` starts it.
"""

from __future__ import annotations

import os
import threading
import time

import pytest
from sqlmodel import Session, select

from app.delivery_process import delivery_process
from app.scheduler_jobs import deliver_notifications
from bot import delivery_worker
from bot.delivery_worker import bind as bind_socket
from bot.delivery_worker import handed_off, is_listening, serve
from content.models import Notification
from scheduler.jobs import JobContext
from tests.bot.conftest import bind
from tests.content.helpers import act, make_item
from tests.waiting import wait_for


def _states(engine) -> list[str]:
    with Session(engine) as s:
        return sorted(n.state for n in s.exec(select(Notification)))




@pytest.fixture
def approved(engine, world, emu):
    """An item waiting for head_a; everyone bound, so approving it leaves two notifications to send."""
    bind(engine, world.head_a, wecom="head-a")
    bind(engine, world.leader, wecom="leader-a")
    bind(engine, world.drafter, wecom="drafter")
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    with Session(engine) as s:
        for note in s.exec(select(Notification)):
            s.delete(note)  # the head's own card went out when the item was submitted
        s.commit()
    emu.reset()
    return item_id


@pytest.fixture
def wake_path(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("wake") / "w.sock")  # short: AF_UNIX paths are limited


def test_without_a_listener_the_web_process_delivers_itself(chat, settings, engine, approved, emu, wake_path):
    settings.delivery_socket = wake_path  # configured, but no delivery process is running
    assert chat.say("head-a", f"同意 {approved}").startswith("已同意")
    assert _states(engine) == ["sent", "sent"]
    assert {r.json["touser"] for r in emu.records(api="wecom", endpoint="message/send")} == {"leader-a", "drafter"}


def test_with_a_listener_the_web_process_only_wakes_it_and_the_worker_sends(chat, settings, engine, approved, emu,
                                                                              wake_path):
    settings.delivery_socket = wake_path
    listener = bind_socket(wake_path)
    assert chat.say("head-a", f"同意 {approved}").startswith("已同意")
    assert listener.recv(16) == b"!"
    assert _states(engine) == ["pending", "pending"] and emu.records(endpoint="message/send") == []

    stop_read, stop_write = os.pipe()
    worker = threading.Thread(target=serve, args=(engine, settings, listener, [stop_read]))
    worker.start()
    try:
        assert wait_for(lambda: _states(engine) == ["sent", "sent"])
    finally:
        os.write(stop_write, b"x")
        worker.join(10)
        listener.close()
    assert not worker.is_alive()
    assert {r.json["touser"] for r in emu.records(api="wecom", endpoint="message/send")} == {"leader-a", "drafter"}


def test_a_failing_platform_is_retried_at_the_idle_pace_not_in_a_loop(engine, world, settings, approved, emu,
                                                                      wake_path, monkeypatch):
    monkeypatch.setattr(delivery_worker, "IDLE_SECONDS", 30.0)
    act(engine, world.head_a, approved, "approve")  # two notifications to send
    emu.fail("message/send", 45033, api="wecom", times=10)
    listener = bind_socket(wake_path)
    stop_read, stop_write = os.pipe()
    worker = threading.Thread(target=serve, args=(engine, settings, listener, [stop_read]))
    worker.start()
    try:
        assert wait_for(lambda: len(emu.records(endpoint="message/send")) >= 2)
        time.sleep(0.5)  # a worker retrying in a loop would have used up every attempt by now
        with Session(engine) as s:
            assert {(n.state, n.attempts) for n in s.exec(select(Notification))} == {("pending", 1)}
        assert len(emu.records(endpoint="message/send")) == 2
    finally:
        os.write(stop_write, b"x")
        worker.join(10)
        listener.close()


def test_the_schedulers_round_only_wakes_a_running_delivery_process(engine, settings, approved, chat, emu,
                                                                   wake_path):
    settings.delivery_socket = wake_path
    listener = bind_socket(wake_path)
    assert chat.say("head-a", f"同意 {approved}").startswith("已同意")
    listener.recv(16)
    deliver_notifications(_job(engine, settings))
    assert listener.recv(16) == b"!" and _states(engine) == ["pending", "pending"]
    listener.close()
    deliver_notifications(_job(engine, settings))  # nobody listens any more
    assert _states(engine) == ["sent", "sent"]


@pytest.fixture
def child_env(settings, db_url, emu, monkeypatch) -> None:
    """The child reads its settings from the environment, as under `gongkai serve`."""
    for name, value in {"GONGKAI_DATABASE_URL": db_url, "GONGKAI_WECOM_API_BASE": emu.wecom_base,
                        "GONGKAI_MP_API_BASE": emu.mp_base, "GONGKAI_PUBLIC_URL": settings.public_url,
                        "GONGKAI_SECRET_KEY": settings.secret_key.get_secret_value()}.items():
        monkeypatch.setenv(name, value)


def test_the_child_process_delivers_and_ends_when_its_parent_lets_go(chat, settings, engine, approved, child_env):
    with delivery_process(settings) as supervisor:
        path, child = settings.delivery_socket, supervisor.child
        assert os.environ["GONGKAI_DELIVERY_SOCKET"] == path
        assert is_listening(path)  # the block starts once the child listens
        assert chat.say("head-a", f"同意 {approved}").startswith("已同意")
        assert wait_for(lambda: _states(engine) == ["sent", "sent"])
    assert child.wait(timeout=1) == 0
    assert "GONGKAI_DELIVERY_SOCKET" not in os.environ and settings.delivery_socket == ""
    assert not os.path.exists(path)
    assert handed_off(settings) is False


def test_a_child_that_dies_is_started_again(chat, settings, engine, approved, child_env):
    with delivery_process(settings) as supervisor:
        first = supervisor.child
        first.kill()
        assert wait_for(lambda: supervisor.child is not first and is_listening(settings.delivery_socket))
        assert chat.say("head-a", f"同意 {approved}").startswith("已同意")
        assert wait_for(lambda: _states(engine) == ["sent", "sent"])
        second = supervisor.child
    assert first.returncode == -9 and second.wait(timeout=1) == 0


def _job(engine, settings) -> JobContext:
    return JobContext(engine=engine, settings=settings, registry=None, outbox=None, instance="test")


def test_the_chat_simulator_shows_its_page_once_the_delivery_process_has_sent(client, settings, engine, world,
                                                                             approved, emu, wake_path):
    settings.delivery_socket = wake_path
    listener = bind_socket(wake_path)
    stop_read, stop_write = os.pipe()

    def slow_to_start() -> None:
        time.sleep(0.5)  # longer than the page takes: the page must wait for the sends
        serve(engine, settings, listener, [stop_read])

    worker = threading.Thread(target=slow_to_start)
    worker.start()
    try:
        res = client.post("/sandbox/chat", data={"user_id": world.head_a, "channel": "wecom", "text": f"同意 {approved}"})
        assert res.status_code == 200 and f"已同意 #{approved}" in res.text
        assert _states(engine) == ["sent", "sent"]  # no waiting here: the page came after the sends
    finally:
        os.write(stop_write, b"x")
        worker.join(10)
        listener.close()
