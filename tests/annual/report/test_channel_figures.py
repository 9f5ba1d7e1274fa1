"""Items per channel in the tally and in section 一: grid groups (网格群) and bulletin boards (公开栏).

Items go through the real review chain and the outbox: the group robot channel posts to the loopback
robot emulator, the board channel queues a printed notice, which the admin then records as posted.
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

from annual.channel_figures import items_per_channel
from annual.report import render
from annual.report.build import build_report
from annual.tally import tally
from channels.base import ChannelRegistry
from channels.board import notices as board
from channels.board.board import BoardChannel
from channels.wecom_group.wecom_group import WecomGroupChannel
from content.models import User
from content.timeutil import local
from sandbox.robot import RobotEmulator, RobotState
from scheduler.dispatch import dispatch_once
from tests.channels.helpers import Clock, FakePortal, add_robot, approved_item, outbox_cfg, publications

PUBLIC_URL = "http://gov.test"


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """One test clock for the outbox (claims, retry times), the robot channel and the emulator."""
    import scheduler.outbox

    clock = Clock()
    monkeypatch.setattr(scheduler.outbox, "utcnow", clock)
    return clock


@pytest.fixture
def robot_emulator(clock):
    with RobotEmulator(RobotState(clock=lambda: clock().timestamp())) as emulator:
        yield emulator


def _dispatch_until_published(engine, item_ids: list[int], clock: Clock) -> None:
    registry = ChannelRegistry([FakePortal(), WecomGroupChannel(engine, public_url=PUBLIC_URL, clock=clock),
                                BoardChannel(engine, public_url=PUBLIC_URL)])
    try:
        for _ in range(5):  # group posts and board notices wait (30 s, then retry) for the portal page's link
            clock.advance(31)
            dispatch_once(engine, registry, outbox_cfg())
            if all(p.state == "confirmed" for i in item_ids for p in publications(engine, i)):
                break
    finally:
        registry.close()
    states = {(p.item_id, p.channel, p.target): p.state for i in item_ids for p in publications(engine, i)}
    assert set(states.values()) == {"confirmed"}, states


def test_groups_and_boards_are_counted_and_said_in_section_one(engine, world, clock, robot_emulator):
    east, west = robot_emulator.state.new_key(), robot_emulator.state.new_key()
    east_id = add_robot(engine, world, "东村网格群", robot_emulator.webhook_url(east))
    west_id = add_robot(engine, world, "西村网格群", robot_emulator.webhook_url(west))
    everywhere = approved_item(engine, world, title="关于春季森林防火的通告",
                               channels=["portal", f"wecom_group:{east_id}", f"wecom_group:{west_id}", "board"])
    group_only = approved_item(engine, world, title="春耕备耕提示", channels=[f"wecom_group:{east_id}"])
    portal_only = approved_item(engine, world, title="镇政府机构职能", channels=["portal"])
    _dispatch_until_published(engine, [everywhere, group_only, portal_only], clock)
    assert len(robot_emulator.state.delivered(east)) == 2 and len(robot_emulator.state.delivered(west)) == 1
    year = local(clock()).year

    with Session(engine) as s:  # a notice printed but not yet on a board counts as a board item, not as posted
        assert tally(s, org_id=world.org_id, year=year)["items"]["by_channel"]["board_posted"] == 0
        [notice] = board.list_notices(s, org_id=world.org_id, open_only=True)
        assert notice.item_id == everywhere
        board.mark_posted(s, actor=s.get(User, world.admin), notice_id=notice.id, location="镇政府一楼大厅公开栏")
        s.commit()

    with Session(engine) as s:
        t = tally(s, org_id=world.org_id, year=year)
        per_channel = items_per_channel(s, org_id=world.org_id, year=year)
        report = build_report(s, org_id=world.org_id, year=year)
        last_year = tally(s, org_id=world.org_id, year=year - 1)
    assert t["items"]["published"] == 3 and t["items"]["portal"]["total"] == 2
    assert t["items"]["by_channel"] == {"portal": 2, "mp": 0, "wecom_group": 2, "wecom_group_posts": 3,
                                        "board": 1, "board_posted": 1}
    for key in ("wecom_group", "wecom_group_posts", "board", "board_posted"):  # the channels module agrees
        assert t["items"]["by_channel"][key] == per_channel[key], key
    assert set(last_year["items"]["by_channel"].values()) == {0}

    [s1] = [sec for sec in report["sections"] if sec["id"] == "s1"]
    text = "".join(s1["paragraphs"])
    assert "通过各村企业微信群推送信息2条（共3条次）" in text and "网格微信工作群" not in text  # the label table's name
    assert "通过公开栏公开信息1条（全年张贴公告1份）" in text
    as_json = json.loads(render(report, "json"))
    assert as_json["figures"]["items"]["by_channel"]["wecom_group_posts"] == 3
    assert "通过公开栏公开信息1条" in render(report, "md").decode()


def test_section_one_is_silent_about_channels_the_year_did_not_use(engine, world, clock):
    item_id = approved_item(engine, world, channels=["portal"])
    _dispatch_until_published(engine, [item_id], clock)
    with Session(engine) as s:
        report = build_report(s, org_id=world.org_id, year=local(clock()).year)
    by_channel = report["figures"]["items"]["by_channel"]
    assert by_channel == {"portal": 1, "mp": 0, "wecom_group": 0, "wecom_group_posts": 0, "board": 0,
                          "board_posted": 0}
    text = "".join(next(sec for sec in report["sections"] if sec["id"] == "s1")["paragraphs"])
    assert "通过政府门户网站主动公开政府信息1条" in text
    assert "网格" not in text and "公开栏" not in text
