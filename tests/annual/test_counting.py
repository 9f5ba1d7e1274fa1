"""Statutory counting per confirmed publication, and one rule for what the tally counts and the 两馆 export
delivers (issue #14). Both databases; items go through the real review chain and the outbox transitions."""

from __future__ import annotations

import zipfile

from openpyxl import load_workbook
from sqlmodel import Session, select

from annual.channel_figures import items_per_channel
from annual.export import export_zip
from annual.tally import tally_items
from content.models import Item, Publication
from content.outbox import live_channels
from content.timeutil import local_today
from scheduler import outbox
from scheduler.outbox import OutboxConfig
from tests.content.helpers import act, make_item
from web.public.queries import published_items

CFG = OutboxConfig(worker_id="test")


def approved(engine, world, title: str, channels=("portal", "mp")) -> int:
    item_id = make_item(engine, world.drafter, title=title, channels=list(channels))
    act(engine, world.drafter, item_id, "submit")
    act(engine, world.head_a, item_id, "approve")
    act(engine, world.leader, item_id, "approve")
    return item_id


def outcome(engine, item_id: int, channel: str, *, live: bool) -> None:
    """What the dispatcher records for one channel: confirmed with its URL, or a permanent failure."""
    with Session(engine) as s:
        pub = s.exec(select(Publication).where(Publication.item_id == item_id, Publication.channel == channel)).one()
        pub.state, pub.claimed_by = "claimed", CFG.worker_id
        s.add(pub)
        s.flush()
        expect = outbox.owned(CFG)
        if live:
            assert outbox.mark_sent(s, pub, expect, remote_id=f"{channel}-{item_id}", confirmed=True, cfg=CFG,
                                    remote_url=f"https://example.gov.cn/{channel}/{item_id}")
        else:
            assert outbox.mark_failed(s, pub, expect, reason="公众号发布失败：常规失败")
        s.commit()


def figures(engine, world) -> dict:
    with Session(engine) as s:
        return tally_items(s, org_id=world.org_id, year=local_today().year)


def test_a_portal_post_counts_and_shows_while_the_official_account_failed(engine, world):
    item_id = approved(engine, world, "关于村级公益事业一事一议的公示")
    outcome(engine, item_id, "portal", live=True)
    outcome(engine, item_id, "mp", live=False)
    with Session(engine) as s:
        assert s.get(Item, item_id).state == "published"
        assert [i.id for i in published_items(s, org_id=world.org_id)] == [item_id]
        assert live_channels(s, [item_id]) == {item_id: ["portal"]}
        per_channel = items_per_channel(s, org_id=world.org_id, year=local_today().year)
    t = figures(engine, world)
    assert t["published"] == 1 and t["portal"]["total"] == 1 and t["portal"]["by_topic"]["其他"] == 1
    assert t["mp"]["total"] == 0 and t["by_channel"]["mp"] == 0
    assert per_channel["portal"] == 1 and per_channel["mp"] == 0


def test_the_official_account_counts_once_it_is_confirmed(engine, world):
    item_id = approved(engine, world, "关于农村低保对象的公示")
    outcome(engine, item_id, "mp", live=True)
    t = figures(engine, world)
    assert (t["published"], t["mp"]["total"], t["portal"]["total"]) == (1, 1, 0)  # portal still pending
    outcome(engine, item_id, "portal", live=True)
    t = figures(engine, world)
    assert (t["published"], t["mp"]["total"], t["portal"]["total"]) == (1, 1, 1)
    with Session(engine) as s:
        assert sorted(live_channels(s, [item_id])[item_id]) == ["mp", "portal"]


def test_nothing_counts_or_shows_before_a_channel_is_live(engine, world):
    item_id = approved(engine, world, "关于道路施工的通告")
    outcome(engine, item_id, "mp", live=False)
    with Session(engine) as s:
        assert s.get(Item, item_id).state == "approved" and published_items(s, org_id=world.org_id) == []
    assert figures(engine, world)["published"] == 0


def test_the_tally_and_the_two_archives_export_agree(engine, world, tmp_path):
    kept = approved(engine, world, "仍在公开的公告", channels=("portal",))
    archived = approved(engine, world, "已归档的公告", channels=("portal",))
    withdrawn = approved(engine, world, "已撤稿的公告", channels=("portal",))
    for item_id in (kept, archived, withdrawn):
        outcome(engine, item_id, "portal", live=True)
    act(engine, world.admin, archived, "archive")
    act(engine, world.admin, withdrawn, "withdraw", reason="数据有误")
    never = make_item(engine, world.drafter, title="从未发布就归档的草稿", channels=["portal"])
    act(engine, world.admin, never, "archive")
    year = local_today().year
    out = tmp_path / "archive.zip"
    with Session(engine) as s:
        exported = export_zip(s, org_id=world.org_id, year=year, month=None, out=out)
        s.commit()
    assert exported == figures(engine, world)["published"] == 3
    with zipfile.ZipFile(out) as zf:
        ws = load_workbook(zf.open("index.xlsx")).active
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        withheld = zf.read(f"items/{withdrawn}/index.html").decode()
    assert sorted(r[1] for r in rows) == sorted([kept, archived, withdrawn])
    assert {r[1]: r[-1] for r in rows}[withdrawn] == "已撤稿"
    assert {r[1]: r[6] for r in rows}[withdrawn] == "门户网站"  # where it was disclosed before the withdrawal
    assert "正文不移交" in withheld and "<p>" not in withheld.split("<div>", 1)[1]


# ---- grid groups (企业微信群) and the export's 发布渠道 column count and show live publications only ----------
def robot(engine, world, name: str) -> int:
    import uuid

    from channels.wecom_group import robots
    from content.models import User

    with Session(engine) as s:
        row = robots.create_robot(s, actor=s.get(User, world.admin), name=name,
                                  webhook_url=f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={uuid.uuid4()}")
        s.commit()
        return row.id


def group_outcome(engine, item_id: int, group: int, *, live: bool) -> None:
    with Session(engine) as s:
        pub = s.exec(select(Publication).where(Publication.item_id == item_id, Publication.channel == "wecom_group",
                                               Publication.target == str(group))).one()
        pub.state, pub.claimed_by = "claimed", CFG.worker_id
        s.add(pub)
        s.flush()
        if live:
            assert outbox.mark_sent(s, pub, outbox.owned(CFG), remote_id=None, remote_url=None, confirmed=True, cfg=CFG)
        else:
            assert outbox.mark_failed(s, pub, outbox.owned(CFG), reason="企业微信群机器人返回错误")
        s.commit()


def test_grid_groups_count_confirmed_posts_not_the_chosen_list(engine, world):
    east, west = robot(engine, world, "东村网格群"), robot(engine, world, "西村网格群")
    both = approved(engine, world, "关于秋冬季森林防火的通告", channels=("portal", f"wecom_group:{east}",
                                                                 f"wecom_group:{west}"))
    failed_group = approved(engine, world, "春耕备耕提示", channels=("portal", f"wecom_group:{east}"))
    for item_id in (both, failed_group):
        outcome(engine, item_id, "portal", live=True)
    group_outcome(engine, both, east, live=True)
    group_outcome(engine, both, west, live=False)
    group_outcome(engine, failed_group, east, live=False)
    t = figures(engine, world)
    with Session(engine) as s:
        per_channel = items_per_channel(s, org_id=world.org_id, year=local_today().year)
    assert t["published"] == 2 and t["portal"]["total"] == 2
    assert (t["by_channel"]["wecom_group"], t["by_channel"]["wecom_group_posts"]) == (1, 1)
    for key in ("portal", "mp", "wecom_group", "wecom_group_posts"):  # the channels module agrees
        assert t["by_channel"][key] == per_channel[key], key
    group_outcome_retry_live(engine, failed_group, east)
    t = figures(engine, world)
    assert (t["by_channel"]["wecom_group"], t["by_channel"]["wecom_group_posts"]) == (2, 2)


def group_outcome_retry_live(engine, item_id: int, group: int) -> None:
    """The admin resent the failed group post and it went out this time."""
    with Session(engine) as s:
        pub = s.exec(select(Publication).where(Publication.item_id == item_id,
                                               Publication.target == str(group))).one()
        pub.state = "pending"
        s.add(pub)
        s.commit()
    group_outcome(engine, item_id, group, live=True)


def test_the_export_channel_column_names_the_live_channels(engine, world, tmp_path):
    east = robot(engine, world, "东村网格群")
    item_id = approved(engine, world, "关于村级公益事业的公示", channels=("portal", "mp", f"wecom_group:{east}"))
    outcome(engine, item_id, "portal", live=True)
    outcome(engine, item_id, "mp", live=False)
    group_outcome(engine, item_id, east, live=True)
    out = tmp_path / "archive.zip"
    with Session(engine) as s:
        assert export_zip(s, org_id=world.org_id, year=local_today().year, month=None, out=out) == 1
    with zipfile.ZipFile(out) as zf:
        ws = load_workbook(zf.open("index.xlsx")).active
        header = [c.value for c in ws[1]]
        [row] = list(ws.iter_rows(min_row=2, values_only=True))
    assert row[header.index("发布渠道")] == "门户网站、企业微信群（东村网格群）"


def test_channel_status_says_where_an_item_is_live_and_what_failed(engine, world):
    from content.outbox import channel_status

    item_id = approved(engine, world, "关于道路施工的通告")
    with Session(engine) as s:
        assert channel_status(s, s.get(Item, item_id)).text() == "门户网站：等待发送；微信公众号：等待发送"
    outcome(engine, item_id, "portal", live=True)
    outcome(engine, item_id, "mp", live=False)
    with Session(engine) as s:
        status = channel_status(s, s.get(Item, item_id))
    assert status.live == ["门户网站"] and status.not_live == [("微信公众号", "发送失败")]
    assert status.text() == "已发布：门户网站；微信公众号：发送失败"
