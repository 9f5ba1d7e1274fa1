"""The bot's 查看 and decisions follow the web's and API's visibility rule (issue 14).

A drafter of department A used to get department B's rejected item, its reason and a preview link
that opened without login and survived withdrawal.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.bot.conftest import bind, snapshot
from tests.content.helpers import act, make_item


def _rejected_item_of_b(engine, world) -> int:
    item_id = make_item(engine, world.drafter_b, title="经济发展办的内部稿件")
    act(engine, world.drafter_b, item_id, "submit")
    act(engine, world.head_b, item_id, "reject", reason="涉及未公开的招商数据")
    return item_id


def test_view_of_another_departments_item_answers_like_a_missing_one(chat, engine, world):
    bind(engine, world.drafter, wecom="drafter-a")
    item_id = _rejected_item_of_b(engine, world)
    missing = chat.say("drafter-a", "查看 999999")
    reply = chat.say("drafter-a", f"查看 {item_id}")
    assert reply == missing.replace("999999", str(item_id))
    assert "经济发展办的内部稿件" not in reply and "招商数据" not in reply and "/m/preview/" not in reply


def test_decisions_on_a_hidden_item_change_nothing_and_say_nothing(chat, engine, world):
    bind(engine, world.drafter, wecom="drafter-a")
    item_id = _rejected_item_of_b(engine, world)
    before = snapshot(engine)
    missing = chat.say("drafter-a", "敏感 999999").replace("999999", str(item_id))
    for text in (f"敏感 {item_id}", f"同意 {item_id}", f"驳回 {item_id} 不行"):
        assert chat.say("drafter-a", text) == missing
    after = snapshot(engine)
    assert after["items"] == before["items"] and after["AuditEvent"] == before["AuditEvent"]


def test_own_department_view_has_a_preview_link_that_ends_on_withdrawal(chat, client: TestClient, engine, world):
    bind(engine, world.drafter_b, wecom="drafter-b")
    item_id = make_item(engine, world.drafter_b, channels=["portal"])
    for user, action in ((world.drafter_b, "submit"), (world.head_b, "approve"), (world.leader_b, "approve")):
        act(engine, user, item_id, action)
    reply = chat.say("drafter-b", f"查看 {item_id}")
    path = re.search(r"http://gongkai\.test(/m/preview/\S+)", reply).group(1)
    assert client.get(path).status_code == 200
    act(engine, world.leader_b, item_id, "withdraw", reason="内容有误")
    ended = client.get(path, headers={"accept": "text/html"})
    assert ended.status_code == 403 and "已失效" in ended.text
