"""Two copies of one message at the same time (a platform retry racing the original)."""

from __future__ import annotations

import threading

from sqlmodel import Session, select

from bot.callbacks.pipeline import process
from bot.commands.context import Inbound
from bot.models import InboundMessage
from content.models import ReviewStep
from tests.bot.conftest import bind
from tests.content.helpers import act, make_item


def test_racing_copies_apply_once_and_answer_alike(engine, world, settings):
    bind(engine, world.head_a, wecom="head-a")
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    replies: list[str | None] = []
    barrier = threading.Barrier(4)

    def send() -> None:
        inbound = Inbound(channel="wecom", sender="head-a", to="corp", msg_type="text",
                          content=f"同意 {item_id}", msg_id="777")
        barrier.wait()
        replies.append(process(engine, settings, inbound)[0])

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(replies) == 4 and len(set(replies)) == 1 and replies[0].startswith(f"已同意 #{item_id}")
    with Session(engine) as s:
        decided = s.exec(select(ReviewStep).where(ReviewStep.item_id == item_id,
                                                  ReviewStep.decision == "approved")).all()
        assert len(decided) == 1
        assert len(s.exec(select(InboundMessage)).all()) == 1
