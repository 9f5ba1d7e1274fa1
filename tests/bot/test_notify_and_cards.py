"""Binding, notifications delivered to the emulator, card taps and card updates, reminders."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from bot.commands.texts import HELP_TEXT
from bot.notify import deliver_pending
from bot.reminders import remind_overdue
from content.models import Notification, ReviewStep, User
from content.timeutil import utcnow
from tests.bot.conftest import bind, snapshot
from tests.content.helpers import act, load, make_item


def _token(client, world, login="head_a") -> str:
    res = client.post("/api/v1/auth/token", json={"login": login, "password": world.password})
    assert res.status_code == 200, res.text
    return res.json()["token"]


def test_binding_flow(client, chat, engine, world):
    assert client.post("/api/v1/me/binding-code").status_code == 401
    res = client.post("/api/v1/me/binding-code", headers={"Authorization": f"Bearer {_token(client, world)}"})
    assert res.status_code == 200
    code = res.json()["code"]
    assert len(code) == 8 and res.json()["expires_at"]
    before = snapshot(engine)
    assert "无效" in chat.say("wx-head-a", "绑定 12345678" if code != "12345678" else "绑定 87654321")
    assert snapshot(engine)["users"] == before["users"]
    full_width = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert "绑定成功" in chat.say("wx-head-a", f"绑定　{full_width}")
    with Session(engine) as s:
        assert s.get(User, world.head_a).wecom_userid == "wx-head-a"
    assert "已绑定" in chat.say("wx-head-a", f"绑定 {code}")
    assert "无效" in chat.say("someone-else", f"绑定 {code}")  # single use
    assert "暂无待审稿件" in chat.say("wx-head-a", "待审")
    assert "已解除" in chat.say("wx-head-a", "解绑")
    with Session(engine) as s:
        assert s.get(User, world.head_a).wecom_userid is None


def test_review_pending_card_tap_approve_updates_card(chat, emu, engine, world, settings):
    bind(engine, world.head_a, wecom="head-a")
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    assert deliver_pending(engine, settings)["sent"] == 1
    (sent,) = emu.records(api="wecom", endpoint="message/send")
    card = sent.json["template_card"]
    assert sent.json["touser"] == "head-a" and card["card_type"] == "button_interaction"
    assert [b["text"] for b in card["button_list"]] == ["同意", "驳回"]
    assert card["card_action"]["url"].startswith("http://gongkai.test/m/preview/")
    approve_key = card["button_list"][0]["key"]
    code = sent.response["response_code"]
    tap = chat.cc.event("head-a", "template_card_event", event_key=approve_key, response_code=code)
    status, reply = chat.send_xml(tap)
    assert status == 200 and reply.startswith(f"已同意 #{item_id}")
    assert load(engine, item_id).gate == "leader"
    (update,) = emu.records(api="wecom", endpoint="message/update_template_card")
    assert update.json["response_code"] == code and update.json["button"]["replace_name"] == "已同意"
    # The retry of the same tap event changes nothing and gets the same reply.
    assert chat.send_xml(tap) == (200, reply)
    assert len(emu.records(api="wecom", endpoint="message/update_template_card")) == 1


def _tap_reject_on_card(chat, emu, engine, world, settings) -> tuple[int, str]:
    """The head's 待审 card is delivered and its 驳回 button tapped: (item id, the bot's reply)."""
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    deliver_pending(engine, settings)
    (sent,) = emu.records(api="wecom", endpoint="message/send")
    reject_key = sent.json["template_card"]["button_list"][1]["key"]
    code = sent.response["response_code"]
    _, reply = chat.send_xml(chat.cc.event("head-a", "template_card_event", event_key=reject_key,
                                           response_code=code))
    return item_id, reply


def test_card_reject_asks_for_reason_then_rejects(chat, emu, engine, world, settings):
    bind(engine, world.head_a, wecom="head-a")
    bind(engine, world.drafter, wecom="drafter")
    item_id, reply = _tap_reject_on_card(chat, emu, engine, world, settings)
    assert "理由" in reply and load(engine, item_id).state == "in_review"
    reply = chat.say("head-a", "附件缺少盖章页")
    assert "已驳回" in reply and "附件缺少盖章页" in reply
    item = load(engine, item_id)
    assert item.state == "rejected" and item.last_rejection_reason == "附件缺少盖章页"
    (update,) = emu.records(api="wecom", endpoint="message/update_template_card")
    assert update.json["button"]["replace_name"] == "已驳回"
    # The drafter was told, with the reason (delivered right after the reply).
    texts = [r.json["text"]["content"] for r in emu.records(api="wecom", endpoint="message/send")
             if r.json["msgtype"] == "text" and r.json["touser"] == "drafter"]
    assert any("附件缺少盖章页" in t for t in texts)


def test_drafter_notifications_and_mp_template(chat, emu, engine, world, settings):
    bind(engine, world.head_a, wecom="head-a")
    bind(engine, world.leader, mp="openid-leader")
    bind(engine, world.drafter, wecom="drafter")
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    chat.say("head-a", f"同意 {item_id}")  # delivery runs right after the reply
    to_drafter = [r.json["text"]["content"] for r in emu.records(api="wecom", endpoint="message/send")
                  if r.json["touser"] == "drafter"]
    assert any("已通过" in t for t in to_drafter)
    (tpl,) = emu.records(api="mp", endpoint="message/template/send")
    assert tpl.json["touser"] == "openid-leader" and tpl.json["url"].startswith("http://gongkai.test/m/preview/")
    with Session(engine) as s:
        states = {n.state for n in s.exec(select(Notification))}
        assert states <= {"sent", "skipped"}


def test_failed_send_is_retried_then_sent(emu, engine, world, settings):
    bind(engine, world.head_a, wecom="head-a")
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    emu.fail("message/send", 45009, api="wecom")
    assert deliver_pending(engine, settings)["retry"] == 1
    with Session(engine) as s:
        note = s.exec(select(Notification).where(Notification.kind == "review.pending")).one()
        assert note.state == "pending" and note.last_error.startswith("45009")
    emu.fail("message/send", 40001, api="wecom")  # token rejected once: refreshed and retried
    assert deliver_pending(engine, settings)["sent"] == 1


def test_reminders_escalate_after_second(emu, engine, world, settings):
    bind(engine, world.head_a, wecom="head-a")
    bind(engine, world.admin, wecom="admin")
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    deliver_pending(engine, settings)
    now = utcnow()
    assert remind_overdue(engine, settings, now=now) == 0
    later = now + timedelta(hours=settings.review_reminder_hours + 1)
    assert remind_overdue(engine, settings, now=later) == 1
    assert remind_overdue(engine, settings, now=later + timedelta(hours=1)) == 0  # once a day
    assert remind_overdue(engine, settings, now=later + timedelta(days=1)) == 1
    with Session(engine) as s:
        kinds = [(n.kind, n.user_id) for n in s.exec(select(Notification).order_by(Notification.id))]
        step = s.exec(select(ReviewStep).where(ReviewStep.item_id == item_id)).one()
        assert step.reminders == 2
    assert kinds.count(("review.reminder", world.head_a)) == 2
    assert kinds.count(("review.escalated", world.admin)) == 1
    deliver_pending(engine, settings)
    to_admin = [r for r in emu.records(api="wecom", endpoint="message/send") if r.json["touser"] == "admin"]
    assert len(to_admin) == 1 and "督办" in to_admin[0].json["text"]["content"]


def test_reason_after_the_item_moved_on_is_refused_and_used_up(chat, emu, engine, world, settings):
    """A card 驳回, then the drafter recalls: the reason gets the core's refusal, changes nothing, is used up."""
    bind(engine, world.head_a, wecom="head-a")
    item_id, _ = _tap_reject_on_card(chat, emu, engine, world, settings)
    act(engine, world.drafter, item_id, "recall")
    before = snapshot(engine)
    reply = chat.say("head-a", "附件缺少盖章页")
    assert reply.startswith(f"#{item_id} 稿件已被起草人撤回修改")
    after = snapshot(engine)
    assert after["items"] == before["items"] and after["steps"] == before["steps"]
    assert after["AuditEvent"] == before["AuditEvent"] and after["PendingReason"] == before["PendingReason"] - 1
    (update,) = emu.records(api="wecom", endpoint="message/update_template_card")
    assert update.json["button"]["replace_name"] == "已处理"
    assert chat.say("head-a", "附件缺少盖章页") == HELP_TEXT  # no reason is awaited any more
