"""The sandbox chat simulator page drives the real callback and shows replies and sent messages."""

from __future__ import annotations

from tests.bot.conftest import bind
from tests.content.helpers import act, make_item


def test_simulator_conversation_and_card_tap(client, emu, engine, world):
    bind(engine, world.head_a, wecom="head-a")
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    page = client.get("/sandbox/chat")
    assert page.status_code == 200 and "聊天模拟器" in page.text and "head_a" in page.text
    res = client.post("/sandbox/chat", data={"user_id": world.head_a, "channel": "wecom", "text": "待审"})
    assert res.status_code == 200  # followed the redirect
    assert f"#{item_id}" in res.text and "待审稿件 1 件" in res.text
    # The card delivered after that reply is shown with its buttons; tapping 同意 approves.
    assert "待审核：" in res.text and f"gk:approve:{item_id}:" in res.text
    (sent,) = emu.records(api="wecom", endpoint="message/send")
    key = sent.json["template_card"]["button_list"][0]["key"]
    res = client.post("/sandbox/chat", data={"user_id": world.head_a, "channel": "wecom", "event_key": key,
                                             "response_code": sent.response["response_code"]})
    assert f"已同意 #{item_id}" in res.text and "message/update_template_card" in res.text
