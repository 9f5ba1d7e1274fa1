"""The WeCom group robot channel against the loopback emulator: queueing, revoked keys, lost groups."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from channels.base import ChannelRegistry
from channels.wecom_group import robots
from channels.wecom_group.wecom_group import WecomGroupChannel
from content.errors import Invalid
from content.models import Notification, User
from content.models.channel_targets import RobotGroup, RobotSend
from scheduler.dispatch import dispatch_once
from tests.channels.helpers import add_robot, approved_item, outbox_cfg, publications

REAL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
GOOD = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7a1b-4bc4-97a0-0ec2a1fa5aaa"


@pytest.mark.parametrize("url", [
    "", "not a url", REAL,  # key is not a UUID
    "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7a1b-4bc4-97a0-0ec2a1fa5aaa",  # not https
    "https://qyapi.weixin.qq.com.evil.cn/cgi-bin/webhook/send?key=693a91f6-7a1b-4bc4-97a0-0ec2a1fa5aaa",
    "https://qyapi.weixin.qq.com/cgi-bin/message/send?key=693a91f6-7a1b-4bc4-97a0-0ec2a1fa5aaa",
    "https://oapi.dingtalk.com/robot/send?access_token=abc",
    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
    "http://127.0.0.1:9/cgi-bin/webhook/send?key=693a91f6-7a1b-4bc4-97a0-0ec2a1fa5aaa",  # sandbox only
])  # fmt: skip
def test_non_robot_urls_are_refused(url):
    with pytest.raises(Invalid) as info:
        robots.validate_webhook_url(url)
    assert info.value.code == "robot_url_invalid"


def test_robot_and_sandbox_urls_are_accepted():
    assert robots.validate_webhook_url(f"  {GOOD} ") == GOOD
    local = "http://127.0.0.1:8000/sandbox/wecom-robot/cgi-bin/webhook/send?key=693a91f6-7a1b-4bc4-97a0-0ec2a1fa5aaa"
    assert robots.validate_webhook_url(local, allow_sandbox=True) == local
    assert robots.mask_url(GOOD).endswith("key=****5aaa")


def test_saving_a_bad_url_writes_nothing(engine, world):
    with Session(engine) as s:
        admin = s.get(User, world.admin)
        with pytest.raises(Invalid):
            robots.create_robot(s, actor=admin, name="东村网格群", webhook_url="https://example.com/hook")
        s.rollback()
        assert s.exec(select(RobotGroup)).all() == []
        robot = robots.create_robot(s, actor=admin, name="东村网格群", webhook_url=GOOD)
        s.commit()
        assert robots.list_robots(s, org_id=world.org_id)[0].id == robot.id


def _registry(engine, clock) -> ChannelRegistry:
    return ChannelRegistry([WecomGroupChannel(engine, public_url="http://gov.test", clock=clock)])


def test_thirty_posts_queue_and_all_arrive_within_the_rate_limit(engine, world, robot_emulator, outbox_clock):
    clock = outbox_clock
    key = robot_emulator.state.new_key()
    robot_id = add_robot(engine, world, "东村网格群", robot_emulator.webhook_url(key))
    items = [approved_item(engine, world, channels=[f"wecom_group:{robot_id}"], title=f"春耕通知第{n}号")
             for n in range(30)]
    clock.past_real_time(1)
    registry = _registry(engine, clock)
    deferred = 0
    for _ in range(10):  # each pass is 20 simulated seconds
        stats = dispatch_once(engine, registry, outbox_cfg())
        deferred += stats.outcomes.get("retry", 0)
        if all(p.state == "confirmed" for p in publications(engine, channel="wecom_group")):
            break
        clock.advance(20)
    registry.close()
    rows = publications(engine, channel="wecom_group")
    assert len(rows) == 30 and {p.state for p in rows} == {"confirmed"}
    assert {p.target for p in rows} == {str(robot_id)}
    assert {p.item_id for p in rows} == set(items)
    delivered = robot_emulator.state.delivered(key)
    assert len(delivered) == 30
    assert robot_emulator.state.rejected() == []  # the emulator never had to answer 45009
    assert robot_emulator.state.max_per_window(key) == 20
    assert deferred >= 10  # the 10 over the limit were queued, not dropped
    titles = {m.body["news"]["articles"][0]["title"] for m in delivered}
    assert titles == {f"春耕通知第{n}号" for n in range(30)}
    assert all(m.body["news"]["articles"][0]["url"].startswith("http://gov.test/p/test-town/") for m in delivered)
    with Session(engine) as s:
        assert len(s.exec(select(RobotSend)).all()) == 30


def test_revoked_key_fails_its_group_only_and_tells_the_admin(engine, world, robot_emulator, outbox_clock):
    clock = outbox_clock
    dead, live = robot_emulator.state.new_key(), robot_emulator.state.new_key()
    robot_emulator.state.revoke(dead)
    dead_id = add_robot(engine, world, "西村网格群", robot_emulator.webhook_url(dead))
    live_id = add_robot(engine, world, "南村网格群", robot_emulator.webhook_url(live), msg_type="markdown")
    item_id = approved_item(engine, world, channels=[f"wecom_group:{dead_id}", f"wecom_group:{live_id}"])
    clock.past_real_time(1)
    registry = _registry(engine, clock)
    dispatch_once(engine, registry, outbox_cfg())
    registry.close()
    by_target = {p.target: p for p in publications(engine, item_id)}
    assert by_target[str(live_id)].state == "confirmed"
    failed = by_target[str(dead_id)]
    assert failed.state == "failed" and "93000" in failed.last_error and "西村网格群" in failed.last_error
    [message] = robot_emulator.state.delivered(live)
    assert message.msgtype == "markdown" and "关于春季森林防火的通告" in message.body["markdown"]["content"]
    with Session(engine) as s:
        robot = s.get(RobotGroup, dead_id)
        assert robot.status == "invalid" and "93000" in robot.last_error
        kinds = {(n.user_id, n.kind) for n in s.exec(select(Notification)).all()}
        assert (world.admin, "channel.robot_invalid") in kinds
        assert (world.drafter, "publication.failed") in kinds


def test_a_deleted_group_is_reported_and_the_others_still_get_the_post(engine, world, robot_emulator, outbox_clock):
    clock = outbox_clock
    gone_key, kept_key = robot_emulator.state.new_key(), robot_emulator.state.new_key()
    gone = add_robot(engine, world, "北村网格群", robot_emulator.webhook_url(gone_key))
    kept = add_robot(engine, world, "中村网格群", robot_emulator.webhook_url(kept_key))
    item_id = approved_item(engine, world, channels=[f"wecom_group:{gone}", f"wecom_group:{kept}"])
    with Session(engine) as s:
        robots.delete_robot(s, actor=s.get(User, world.admin), robot_id=gone)
        s.commit()
    clock.past_real_time(1)
    registry = _registry(engine, clock)
    dispatch_once(engine, registry, outbox_cfg())
    registry.close()
    by_target = {p.target: p for p in publications(engine, item_id)}
    assert by_target[str(kept)].state == "confirmed"
    assert by_target[str(gone)].state == "failed" and "北村网格群" in by_target[str(gone)].last_error
    assert len(robot_emulator.state.delivered(kept_key)) == 1
    assert robot_emulator.state.delivered(gone_key) == []


def test_withdrawal_tells_the_group(engine, world, robot_emulator, outbox_clock):
    from scheduler.withdraw import process_withdrawals
    from tests.channels.helpers import act

    clock = outbox_clock
    key = robot_emulator.state.new_key()
    robot_id = add_robot(engine, world, "东村网格群", robot_emulator.webhook_url(key))
    item_id = approved_item(engine, world, channels=[f"wecom_group:{robot_id}"])
    clock.past_real_time(1)
    registry = _registry(engine, clock)
    dispatch_once(engine, registry, outbox_cfg())
    act(engine, world.leader, item_id, "withdraw", reason="数据有误")
    process_withdrawals(engine, registry, outbox_cfg())
    registry.close()
    [pub] = publications(engine, item_id)
    assert pub.state == "withdrawn"
    first, second = robot_emulator.state.delivered(key)
    assert first.msgtype == "news" and second.msgtype == "markdown"
    assert "撤回说明" in second.body["markdown"]["content"] and "数据有误" in second.body["markdown"]["content"]
