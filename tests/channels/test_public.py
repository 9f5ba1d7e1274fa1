"""Feeds, lobby screen and public item page: published items only; withdrawal removes them."""

from __future__ import annotations

import json
import re

import feedparser
from sqlmodel import Session

from annual.channel_figures import items_per_channel
from channels.base import ChannelRegistry
from content.models import Item
from content.timeutil import local_today
from scheduler.withdraw import process_withdrawals
from tests.channels.helpers import FakePortal, act, approved_item, outbox_cfg, publish


def _world_items(engine, world) -> dict[str, int]:
    ids = {
        "roads": publish(engine, world, title="关于乡村道路改造的公示", topic="国土资源城乡建设环保能源",
                         digest="道路改造工程公示"),
        "aid": publish(engine, world, title="2026年临时救助名单公示", topic="民政扶贫救灾社会保障就业"),
        "school": publish(engine, world, title="秋季学期入学须知", topic="科教文体卫生",
                           body_html='<p><img src="https://img.test/a.png" alt="入学须知"></p>'),
        "queued": approved_item(engine, world, channels=["portal"], title="尚未发出的通知"),
    }
    from content import store
    from content.models import User

    with Session(engine) as s:  # a draft
        ids["draft"] = store.create_item(s, actor=s.get(User, world.drafter),
                                         data={"title": "草稿不应公开", "topic": "其他", "channels": ["portal"]}).id
        s.commit()
    with Session(engine) as s:
        states = {k: s.get(Item, v).state for k, v in ids.items()}
    assert states == {"roads": "published", "aid": "published", "school": "published", "queued": "approved",
                      "draft": "draft"}
    return ids


PUBLISHED = {"关于乡村道路改造的公示", "2026年临时救助名单公示", "秋季学期入学须知"}


def test_feeds_parse_and_hold_published_items_only(engine, world, public_client):
    ids = _world_items(engine, world)
    for fmt in ("atom", "rss"):
        r = public_client.get(f"/feeds/test-town.{fmt}")
        assert r.status_code == 200 and fmt in r.headers["content-type"]
        parsed = feedparser.parse(r.content)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert parsed.version == ("atom10" if fmt == "atom" else "rss20")
        assert parsed.feed.title == "测试镇政务公开"
        assert {e.title for e in parsed.entries} == PUBLISHED
        links = {e.title: e.link for e in parsed.entries}
        assert links["关于乡村道路改造的公示"] == f"https://portal.test/art/{ids['roads']}.html"
    doc = json.loads(public_client.get("/feeds/test-town.json").content)
    assert doc["version"] == "https://jsonfeed.org/version/1.1" and doc["feed_url"].endswith("/feeds/test-town.json")
    assert {i["title"] for i in doc["items"]} == PUBLISHED
    assert all(i["id"] and i["url"].startswith("https://") and "date_published" in i for i in doc["items"])

    by_topic = feedparser.parse(public_client.get("/feeds/test-town.atom", params={"topic": "科教文体卫生"}).content)
    assert [e.title for e in by_topic.entries] == ["秋季学期入学须知"]
    assert by_topic.feed.title == "测试镇政务公开·科教文体卫生"


def test_feed_bad_input_is_a_clear_404(engine, world, public_client):
    for url, code in (("/feeds/nowhere.atom", "org_not_found"), ("/feeds/test-town.xml", "feed_format_unknown"),
                      ("/feeds/test-town.rss?topic=不存在", "topic_not_found")):
        r = public_client.get(url)
        assert r.status_code == 404 and r.json()["code"] == code and r.json()["message"]


def test_screen_shows_published_items_and_withdrawal_removes_them(engine, world, public_client):
    ids = _world_items(engine, world)
    html = public_client.get("/screen/test-town").text
    shown = {int(x) for x in re.findall(r'data-item-id="(\d+)"', html)}
    assert shown == {ids["roads"], ids["aid"], ids["school"]}
    assert "草稿不应公开" not in html and "尚未发出的通知" not in html
    assert 'http-equiv="refresh"' not in html and "/static/js/screen.js" in html  # reloads itself (WCAG 2.2.1)
    assert "年政务公开数据" in html

    act(engine, world.leader, ids["roads"], "withdraw", reason="公示期已过")
    process_withdrawals(engine, ChannelRegistry([FakePortal()]), outbox_cfg())
    html = public_client.get("/screen/test-town").text
    assert {int(x) for x in re.findall(r'data-item-id="(\d+)"', html)} == {ids["aid"], ids["school"]}
    assert "关于乡村道路改造的公示" not in html
    for fmt in ("atom", "rss"):
        titles = {e.title for e in feedparser.parse(public_client.get(f"/feeds/test-town.{fmt}").content).entries}
        assert titles == PUBLISHED - {"关于乡村道路改造的公示"}
    assert public_client.get(f"/p/test-town/{ids['roads']}").status_code == 404


def test_screen_with_nothing_to_show_is_friendly(engine, world, public_client):
    r = public_client.get("/screen/test-town")
    assert r.status_code == 200 and "暂无新发布的政务公开信息" in r.text and "data-item-id" not in r.text
    missing = public_client.get("/screen/no-such-town")
    assert missing.status_code == 404 and "没有这个单位" in missing.text


def test_public_item_page_and_channel_tally(engine, world, public_client):
    ids = _world_items(engine, world)
    page = public_client.get(f"/p/test-town/{ids['aid']}")
    assert page.status_code == 200 and "2026年临时救助名单公示" in page.text and "测试镇党政办" in page.text
    assert public_client.get(f"/p/test-town/{ids['draft']}").status_code == 404
    assert public_client.get(f"/p/test-town/{ids['queued']}").status_code == 404
    with Session(engine) as s:
        tally = items_per_channel(s, org_id=world.org_id, year=local_today().year)
        assert tally["portal"] == 3 and tally["wecom_group"] == tally["board"] == 0
        assert items_per_channel(s, org_id=world.org_id, year=local_today().year - 1)["portal"] == 0
