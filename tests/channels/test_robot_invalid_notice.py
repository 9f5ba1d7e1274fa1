"""Regression: the admin told about a revoked group-robot key reads Chinese, not "（channel.robot_invalid）"."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.messages import text_for
from channels.base import ChannelRegistry
from channels.wecom_group.wecom_group import WecomGroupChannel
from content.models import Item, Notification
from scheduler.dispatch import dispatch_once
from tests.channels.helpers import add_robot, approved_item, outbox_cfg


def test_revoked_key_notices_read_as_sentences(engine, world, robot_emulator, outbox_clock):
    dead = robot_emulator.state.new_key()
    robot_emulator.state.revoke(dead)
    robot_id = add_robot(engine, world, "西村网格群", robot_emulator.webhook_url(dead))
    item_id = approved_item(engine, world, channels=[f"wecom_group:{robot_id}"])
    outbox_clock.past_real_time(1)
    registry = ChannelRegistry([WecomGroupChannel(engine, public_url="http://gov.test", clock=outbox_clock)])
    dispatch_once(engine, registry, outbox_cfg())
    registry.close()
    with Session(engine) as s:
        notes = {n.user_id: n for n in s.exec(select(Notification)).all()}
        item = s.get(Item, item_id)
        admin_text = text_for(notes[world.admin], None)
        drafter_text = text_for(notes[world.drafter], item)
    assert "channel.robot_invalid" not in admin_text and "有新动态" not in admin_text
    assert "西村网格群" in admin_text and "93000" in admin_text
    # the drafter's line names the channel in Chinese and carries the reason (it used to end in "失败：")
    assert "企业微信群" in drafter_text and "93000" in drafter_text and "wecom_group" not in drafter_text
