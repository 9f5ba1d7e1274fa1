"""Item channels as a child table (issue 15): one parser/formatter (`ChannelTarget`), the `item_channel` rows
follow every change of an item's channel list in the same transaction, the store refuses entries that name no
channel or another org's robot (4xx with a Chinese message), the list filter joins the table, and the revision
snapshot keeps entry strings in canonical order. Both databases."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session, select

from content import store
from content.errors import Invalid
from content.models import Item, Revision, User
from content.models.item_channel import (
    ChannelEntryError,
    ChannelKind,
    ChannelTarget,
    ItemChannel,
    canonical_entries,
    parse_entries,
)
from content.review import chain
from content.seed import seed_org
from tests.channels.helpers import add_robot
from tests.content.helpers import make_item


def robot(engine, world, name: str) -> int:
    """A group robot of the test town (never sent to here)."""
    return add_robot(engine, world, name, f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={uuid.uuid4()}")


def rows(engine, item_id: int) -> list[str]:
    with Session(engine) as s:
        found = s.exec(select(ItemChannel).where(ItemChannel.item_id == item_id)).all()
        return sorted(str(r.target) for r in found)


def edit(engine, user_id: int, item_id: int, **changes) -> Item:
    with Session(engine, expire_on_commit=False) as s:
        item = store.update_item(s, actor=s.get(User, user_id), item_id=item_id, changes=changes)
        s.commit()
        return item


# ---- the one parser ---------------------------------------------------------------------------------------
def test_entries_parse_and_format_back_to_the_same_string():
    for entry in ("portal", "mp", "board", "wecom_group:3", "wecom_group:1200"):
        assert str(ChannelTarget.parse(entry)) == entry
    assert ChannelTarget.parse("wecom_group:3") == ChannelTarget(ChannelKind.wecom_group, 3)
    for bad in ("fax", "wecom_group", "wecom_group:", "wecom_group:x", "wecom_group:03", "portal:3", "mp ",
                "wecom_group:３", 3, None):
        with pytest.raises(ChannelEntryError):
            ChannelTarget.parse(bad)


def test_canonical_order_is_the_editor_order_then_robot_id():
    targets = parse_entries(["wecom_group:10", "board", "wecom_group:2", "mp", "portal", "mp"])
    assert canonical_entries(targets) == ["portal", "mp", "board", "wecom_group:2", "wecom_group:10"]


# ---- rows follow the list ---------------------------------------------------------------------------------
def test_rows_follow_create_and_every_edit_in_the_same_transaction(engine, world):
    east = robot(engine, world, "东村网格群")
    west = robot(engine, world, "西村网格群")
    item_id = make_item(engine, world.drafter, channels=[f"wecom_group:{west}", "mp", "portal"])
    assert rows(engine, item_id) == sorted(["mp", "portal", f"wecom_group:{west}"])

    edit(engine, world.drafter, item_id, channels=["board", f"wecom_group:{east}", f"wecom_group:{west}"])
    assert rows(engine, item_id) == sorted(["board", f"wecom_group:{east}", f"wecom_group:{west}"])

    edit(engine, world.drafter, item_id, title="只改标题")  # the list is untouched, so are the rows
    assert rows(engine, item_id) == sorted(["board", f"wecom_group:{east}", f"wecom_group:{west}"])

    with Session(engine) as s:  # a failed transaction leaves the rows as they were
        item = s.get(Item, item_id)
        item.channels = ["portal"]
        s.flush()
        s.rollback()
    assert rows(engine, item_id) == sorted(["board", f"wecom_group:{east}", f"wecom_group:{west}"])


def test_the_snapshot_holds_the_canonical_list_and_the_api_form_is_unchanged(engine, world):
    robot_id = robot(engine, world, "东村网格群")
    item_id = make_item(engine, world.drafter, channels=[f"wecom_group:{robot_id}", "board", "portal"])
    with Session(engine) as s:
        item = s.get(Item, item_id)
        revision = s.get(Revision, item.current_revision_id)
        assert item.channels == ["portal", "board", f"wecom_group:{robot_id}"]
        assert revision.content["channels"] == item.channels
        assert revision.content_hash == store.content_hash(revision.content)


def test_an_edit_that_only_reorders_a_stored_list_keeps_its_revision(engine, world):
    """A list stored before the canonical order (["mp", "portal"]) keeps its revision and hash when the same
    channels come back in another order: an approval is not voided by an unchanged save."""
    item_id = make_item(engine, world.drafter)
    with Session(engine) as s:  # as an older version stored it: the chosen order, not the canonical one
        item = s.get(Item, item_id)
        revision = s.get(Revision, item.current_revision_id)
        item.channels = ["mp", "portal"]
        revision.content = {**revision.content, "channels": ["mp", "portal"]}
        revision.content_hash = store.content_hash(revision.content)
        s.commit()
        before = (item.current_revision_id, revision.content_hash)
    item = edit(engine, world.drafter, item_id, channels=["portal", "mp"])
    with Session(engine) as s:
        revision = s.get(Revision, item.current_revision_id)
        assert (item.current_revision_id, revision.content_hash) == before
        assert s.get(Item, item_id).channels == ["mp", "portal"]


# ---- bad input --------------------------------------------------------------------------------------------
def test_unknown_entries_and_robots_that_are_not_the_orgs_are_refused_in_chinese(engine, world):
    item_id = make_item(engine, world.drafter, channels=["portal"])
    with Session(engine) as s:
        other, _ = seed_org(s, code="other-town", name="邻镇")
        s.commit()
        other_org = other.id
    with Session(engine, expire_on_commit=False) as s:
        from content.models.channel_targets import RobotGroup

        foreign = RobotGroup(org_id=other_org, name="邻镇网格群", webhook_url="http://127.0.0.1:9/x")
        s.add(foreign)
        s.commit()
    for bad, shown in ((["portal", "fax"], "fax"), (["wecom_group:x"], "wecom_group:x"),
                       ([f"wecom_group:{foreign.id}"], f"wecom_group:{foreign.id}"),
                       (["wecom_group:999999"], "wecom_group:999999"), ("portal", "列表")):
        with pytest.raises(Invalid) as caught:
            edit(engine, world.drafter, item_id, channels=bad)
        assert caught.value.code == "unknown_channel" and shown in caught.value.message
    assert rows(engine, item_id) == ["portal"]


def test_a_deleted_robot_the_item_already_names_stays_choosable_and_the_checks_flag_it(engine, world):
    from channels.wecom_group.robots import delete_robot

    robot_id = robot(engine, world, "东村网格群")
    item_id = make_item(engine, world.drafter, channels=["portal", f"wecom_group:{robot_id}"])
    with Session(engine) as s:
        delete_robot(s, actor=s.get(User, world.admin), robot_id=robot_id)
        s.commit()
    edit(engine, world.drafter, item_id, channels=["mp", "portal", f"wecom_group:{robot_id}"])
    assert rows(engine, item_id) == sorted(["mp", "portal", f"wecom_group:{robot_id}"])
    with Session(engine) as s:
        result = store.run_checks(s, s.get(Item, item_id))
    assert [e["code"] for e in result.errors if e["field"] == "channels"] == ["group_missing"]


# ---- queries join the table -------------------------------------------------------------------------------
def test_the_channel_filter_names_one_group_exactly(engine, world):
    """The LIKE '%"wecom_group:3%' filter also listed the items of group 30; the join does not."""
    robots = [robot(engine, world, f"网格群{n}") for n in range(12)]
    short = robots[0]
    long_ = next(r for r in robots if str(r).startswith(str(short)) and r != short)
    one = make_item(engine, world.drafter, title="一组", channels=["portal", f"wecom_group:{short}"])
    other = make_item(engine, world.drafter, title="另一组", channels=[f"wecom_group:{long_}"])
    plain = make_item(engine, world.drafter, title="门户", channels=["portal", "board"])
    with Session(engine) as s:
        def ids(channel):
            return sorted(i.id for i in store.list_items(s, org_id=world.org_id, channel=channel))

        assert ids(f"wecom_group:{short}") == [one]
        assert ids(f"wecom_group:{long_}") == [other]
        assert ids("wecom_group") == sorted([one, other])
        assert ids("portal") == sorted([one, plain])
        assert ids("board") == [plain]
        assert ids("fax") == [] and ids("wecom_group:x") == []


def test_approval_creates_one_publication_per_row_of_the_list(engine, world):
    robot_id = robot(engine, world, "东村网格群")
    item_id = make_item(engine, world.drafter, channels=[f"wecom_group:{robot_id}", "portal"])
    for user, action in ((world.drafter, "submit"), (world.head_a, "approve"), (world.leader, "approve")):
        with Session(engine) as s:
            chain.apply_action(s, item_id=item_id, actor=s.get(User, user), action=action)
            s.commit()
    from content.models import Publication

    with Session(engine) as s:
        found = s.exec(select(Publication.channel, Publication.target).where(Publication.item_id == item_id)
                       .order_by(Publication.id)).all()
    assert [tuple(r) for r in found] == [("portal", ""), ("wecom_group", str(robot_id))]


def assert_rows_equal_lists(engine, org_id: int) -> int:
    """Every item's rows are exactly its parsed list; returns how many items were compared."""
    with Session(engine) as s:
        lists = {item.id: item.channels for item in s.exec(select(Item).where(Item.org_id == org_id)).all()}
    for item_id, channels in lists.items():
        assert rows(engine, item_id) == sorted(str(t) for t in parse_entries(channels)), channels
    return len(lists)


def test_every_writer_of_items_leaves_rows_equal_to_the_list_the_demo_and_the_importer(engine, world, tmp_path):
    from app.demo import init_demo
    from content.files import DirectoryBackend, FileContext
    from content.importer import import_rows
    from content.models import Organization

    with Session(engine) as s:
        code = s.get(Organization, world.org_id).code
    init_demo(engine, org_code=code, public_url="http://127.0.0.1:9",
              files=FileContext(DirectoryBackend(tmp_path / "store")))
    with Session(engine) as s:
        import_rows(s, org_id=world.org_id, rows=[
            ["日期", "渠道", "门户栏目", "公开目录领域", "来源", "标题", "链接"],
            ["2025-03-01", "门户网站、微信公众号", "其他", "", "原创", "开学通知", ""],
            ["2025-05-01", "微信公众号", "其他", "", "转载", "转发市里的通知", "https://example.gov.cn/1"],
        ])
        s.commit()
    assert assert_rows_equal_lists(engine, world.org_id) > 2
    with Session(engine) as s:
        kinds = set(s.exec(select(ItemChannel.kind).where(ItemChannel.org_id == world.org_id)).all())
    assert {"portal", "mp"} <= kinds
