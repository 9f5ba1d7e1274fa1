"""Statutory counting per confirmed publication, and one rule for what the tally counts and the 两馆 export
delivers (issue #14). Both databases; items go through the real review chain and the outbox transitions."""

from __future__ import annotations

import zipfile

from openpyxl import load_workbook
from sqlmodel import Session, select

from content.channels_extra.public import published_items
from content.channels_extra.tally import items_per_channel
from content.export import export_zip
from content.models import Item, Publication
from content.outbox import live_channels
from content.tally import tally_items
from content.timeutil import local_today
from scheduler import outbox
from scheduler.outbox import OutboxConfig
from tests.content.helpers import act, make_item

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
    assert "正文不移交" in withheld and "<p>" not in withheld.split("<div>", 1)[1]
