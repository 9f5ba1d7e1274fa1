"""Chat commands over real encrypted WeCom/official-account traffic through the ASGI app."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.commands.texts import BIND_HINT, HELP_TEXT
from bot.models import InboundMessage
from content.models import AuditEvent, ReviewStep
from tests.bot.conftest import bind, snapshot
from tests.content.helpers import act, load, make_item


def submitted(engine, world) -> int:
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    return item_id


def test_unbound_sender_gets_one_line(chat, engine, world):
    before = snapshot(engine)
    for text in ("待审", "同意 1", "你好"):
        reply = chat.say("stranger", text)
        assert reply == BIND_HINT and "\n" not in reply
    after = snapshot(engine)
    assert after["items"] == before["items"] and after["AuditEvent"] == before["AuditEvent"]


def test_help_and_unknown_command(chat, engine, world):
    bind(engine, world.head_a, wecom="head-a")
    assert chat.say("head-a", "帮助") == HELP_TEXT
    assert chat.say("head-a", "随便说点什么") == HELP_TEXT


def test_pending_view_and_approve_with_tolerant_parsing(chat, engine, world):
    bind(engine, world.head_a, wecom="head-a")
    item_id = submitted(engine, world)
    assert f"#{item_id}" in chat.say("head-a", "待办")
    view = chat.say("head-a", f"查看　＃{str(item_id).translate(str.maketrans('0123456789', '０１２３４５６７８９'))}")
    assert "关于召开安全生产会议的通知" in view and "http://gongkai.test/m/preview/" in view
    assert f"同意 {item_id}" in view
    reply = chat.say("head-a", f"通过#{item_id}　写得好")
    assert reply.startswith(f"已同意 #{item_id}") and "分管领导审核" in reply
    item = load(engine, item_id)
    assert item.state == "in_review" and item.gate == "leader"
    with Session(engine) as s:
        step = s.exec(select(ReviewStep).where(ReviewStep.item_id == item_id, ReviewStep.gate == "dept_head")).one()
        assert (step.decision, step.channel, step.comment) == ("approved", "wecom", "写得好")


def test_reject_requires_reason_then_rejects(chat, engine, world):
    bind(engine, world.head_a, wecom="head-a")
    item_id = submitted(engine, world)
    assert "必须写明理由" in chat.say("head-a", f"驳回 {item_id}")
    assert load(engine, item_id).state == "in_review"
    reply = chat.say("head-a", f"驳回 {item_id} 数据需要核实")
    assert "数据需要核实" in reply
    item = load(engine, item_id)
    assert item.state == "rejected" and item.last_rejection_reason == "数据需要核实"


def test_not_entitled_gets_polite_reason_and_nothing_changes(chat, engine, world):
    bind(engine, world.head_b, wecom="head-b")
    item_id = submitted(engine, world)
    before = snapshot(engine)
    reply = chat.say("head-b", f"同意 {item_id}")
    # Another department's item is hidden from head_b: the answer is the one for a missing item (issue 14).
    assert reply == chat.say("head-b", "同意 999999").replace("999999", str(item_id))
    after = snapshot(engine)
    assert after["items"] == before["items"] and after["steps"] == before["steps"]
    assert after["AuditEvent"] == before["AuditEvent"]


def test_already_decided_names_who(chat, engine, world):
    from content import accounts

    with Session(engine) as s:  # a second head of 党政办, so the gate has two assignees
        other = accounts.create_user(s, org_id=world.org_id, login="head_a2", name="王主任", password=world.password,
                                     roles="dept_head", department="党政办")
        s.commit()
        other_id = other.id
    bind(engine, world.head_a, wecom="head-a")
    item_id = submitted(engine, world)
    act(engine, other_id, item_id, "approve")
    assert "已由王主任处理" in chat.say("head-a", f"同意 {item_id}")


def test_flag_sensitive_and_stats(chat, engine, world):
    bind(engine, world.head_a, wecom="head-a")
    item_id = submitted(engine, world)
    assert "主要领导" in chat.say("head-a", f"敏感 {item_id}")
    assert load(engine, item_id).sensitive
    stats = chat.say("head-a", "统计")
    assert "年暂无统计数据" in stats  # nothing published yet (the figures: tests/bot/test_stats.py)


def test_retry_applies_once_and_gets_same_reply(chat, engine, world):
    bind(engine, world.head_a, wecom="head-a")
    item_id = submitted(engine, world)
    inner = chat.cc.text("head-a", f"同意 {item_id}", msg_id=424242)
    first = chat.send_xml(inner)
    second = chat.send_xml(inner)  # the platform's retry: same MsgId, new nonce and timestamp
    assert first == second and first[1].startswith(f"已同意 #{item_id}")
    with Session(engine) as s:
        approvals = s.exec(select(AuditEvent).where(AuditEvent.target_id == item_id,
                                                    AuditEvent.action.like("%approve%"))).all()
        assert len(approvals) == 1
        assert len(s.exec(select(InboundMessage)).all()) == 1


def test_event_retry_dedupes_by_sender_time_event_key(chat, engine, world):
    bind(engine, world.head_a, wecom="head-a")
    inner = chat.cc.event("head-a", "click", event_key="menu-1", create_time=1700000000)
    assert chat.send_xml(inner) == chat.send_xml(inner)
    with Session(engine) as s:
        rows = s.exec(select(InboundMessage)).all()
        assert [r.dedupe_key for r in rows] == ["evt:head-a:1700000000:click:menu-1"]


def test_unknown_types_and_events_get_harmless_reply(chat, engine, world):
    bind(engine, world.head_a, wecom="head-a")
    status, reply = chat.send_xml(chat.cc.other("head-a", "image", "<PicUrl>http://x/1.jpg</PicUrl>"))
    assert status == 200 and "文字命令" in reply
    status, reply = chat.send_xml(chat.cc.other("head-a", "location", "<Location_X>1</Location_X>"))
    assert status == 200 and "文字命令" in reply
    assert chat.send_xml(chat.cc.event("head-a", "subscribe"))[0] == 200
    assert chat.send_xml(chat.cc.event("head-a", "some_new_event"))== (200, "")


def test_mp_channel_commands(mp_chat, engine, world):
    bind(engine, world.leader, mp="openid-leader")
    assert "暂无待审稿件" in mp_chat.say("openid-leader", "待审")
