"""The sandbox official-account article link opens the article (issue #21): the WeChat emulator serves every
published article at `<emulator>/s/<article id>`, and that address is what the publication records. Both
databases; the channel talks to a real loopback emulator."""

from __future__ import annotations

import re

import httpx
from sqlmodel import Session

from channels import mp_factory
from channels.base import ChannelRegistry
from content.models import Item
from content.settings import Settings
from scheduler import reconcile
from scheduler.dispatch import dispatch_once
from scheduler.withdraw import process_withdrawals
from tests.scheduler.conftest import IMAGES
from tests.scheduler.helpers import approved_item, cfg, pub

TITLE = "关于开展冬季安全生产大检查的通知"
BODY = '<p>为切实做好<b>冬季安全生产</b>工作，现将有关事项通知如下。</p><p><img src="/media/a.png" alt="现场"></p>'


def publish(engine, world, registry) -> int:
    [pid] = approved_item(engine, world, channels=("mp",), title=TITLE, body_html=BODY)
    assert dispatch_once(engine, registry, cfg()).outcomes == {"sent": 1}
    assert reconcile.confirm_sent(engine, registry, cfg()) == {"confirmed": 1}
    return pid


def test_the_stored_article_url_opens_the_article_with_its_title_body_and_images(engine, world, wechat_emulator,
                                                                                mp_registry):
    pid = publish(engine, world, mp_registry)
    row = pub(engine, pid)
    assert row.remote_url.startswith(f"{wechat_emulator.url}/s/")
    page = httpx.get(row.remote_url)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f"<title>{TITLE}</title>" in page.text and f'<h1 id="activity-name">{TITLE}</h1>' in page.text
    assert "为切实做好<b>冬季安全生产</b>工作" in page.text  # the stored HTML, as draft/add received it
    assert "mmbiz.qpic.cn" not in page.text
    [src] = re.findall(r'<img src="([^"]+)"', page.text)
    assert src.startswith(f"{wechat_emulator.url}/img/")
    assert httpx.get(src).content == IMAGES["/media/a.png"]  # the image the channel uploaded
    assert "img-src 'self'" in page.headers["content-security-policy"]
    with Session(engine) as s:
        assert s.get(Item, row.item_id).state == "published"


def test_the_publish_records_give_the_same_address(engine, world, wechat_emulator, mp_registry):
    pid = publish(engine, world, mp_registry)
    records = wechat_emulator.state.published_records()
    assert records[0]["content"]["news_item"][0]["url"] == pub(engine, pid).remote_url


def test_a_withdrawn_article_is_gone_from_its_address(engine, world, wechat_emulator, mp_registry):
    pid = publish(engine, world, mp_registry)
    url = pub(engine, pid).remote_url
    from content.models import User
    from content.review import chain as workflow

    with Session(engine) as s:
        workflow.apply_action(s, item_id=pub(engine, pid).item_id, actor=s.get(User, world.admin),
                              action="withdraw", reason="信息有误", channel="web")
        s.commit()
    process_withdrawals(engine, mp_registry, cfg())
    gone = httpx.get(url)
    assert gone.status_code == 404 and "该内容已被发布者删除" in gone.text


def test_an_unknown_article_address_is_not_found(wechat_emulator):
    missing = httpx.get(f"{wechat_emulator.url}/s/article-999999")
    assert missing.status_code == 404 and "不存在" in missing.text


def test_sandbox_mode_stores_the_local_article_address(engine, world):
    """`gongkai run --sandbox`: the channel built from the wired settings talks to the process's shared emulator."""
    from app.sandbox_wiring import with_sandbox_endpoints
    from sandbox.shared import shared_emulator

    settings = with_sandbox_endpoints(Settings(sandbox_requested=True, _env_file=None))
    assert settings.sandbox
    channel = mp_factory(settings, engine)
    registry = ChannelRegistry([channel])
    [pid] = approved_item(engine, world, channels=("mp",), title=TITLE, body_html="<p>演示正文</p>")
    dispatch_once(engine, registry, cfg())
    reconcile.confirm_sent(engine, registry, cfg())
    row = pub(engine, pid)
    assert row.state == "confirmed" and row.remote_url.startswith(f"{shared_emulator().url}/s/article-")
    page = httpx.get(row.remote_url)
    assert page.status_code == 200 and TITLE in page.text and "演示正文" in page.text
