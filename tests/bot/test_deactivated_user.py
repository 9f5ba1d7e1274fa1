"""A deactivated user's chat commands and binding codes are refused (accounts, issue #14)."""

from __future__ import annotations

from sqlmodel import Session

from bot import binding
from bot.commands.texts import BIND_HINT
from content import credentials
from content.models import User
from tests.bot.conftest import bind, snapshot
from tests.content.helpers import act, load, make_item


def _deactivate(engine, user_id: int, admin_id: int) -> None:
    with Session(engine) as s:
        credentials.deactivate(s, user=s.get(User, user_id), actor=s.get(User, admin_id))
        s.commit()


def test_deactivated_users_chat_commands_are_refused(chat, engine, world):
    bind(engine, world.head_a, wecom="head-a")
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    assert f"#{item_id}" in chat.say("head-a", "待审")
    _deactivate(engine, world.head_a, world.admin)
    assert chat.say("head-a", "待审") == BIND_HINT
    assert chat.say("head-a", f"同意 {item_id}") == BIND_HINT
    assert load(engine, item_id).gate == "dept_head"  # the approval was not recorded


def test_a_code_shown_before_deactivation_cannot_bind(chat, engine, world, settings):
    with Session(engine) as s:
        code, _ = binding.create_code(s, user=s.get(User, world.head_b), secret_key=settings.secret_key.get_secret_value())
        s.commit()
    _deactivate(engine, world.head_b, world.admin)
    before = snapshot(engine)
    reply = chat.say("wx-head-b", f"绑定 {code}")
    assert "停用" in reply
    with Session(engine) as s:
        assert s.get(User, world.head_b).wecom_userid is None
    assert snapshot(engine)["users"] == before["users"]
