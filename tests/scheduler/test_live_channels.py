"""The item page and the public item page say which channels an item is live on (issue #14): the portal post is
live while the official account failed, and each page says so. Published through the portal emulator and the
WeChat emulator; both databases."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.factory import create_app
from channels.base import ChannelRegistry
from content.models import Publication, User
from content.publications import retry_publication
from content.settings import Settings
from scheduler import reconcile
from scheduler.dispatch import dispatch_once
from tests.scheduler.helpers import approved_item, cfg, pub
from tests.web.pages.conftest import WebClient

TITLE = "关于村级公益事业一事一议的公示"


@pytest.fixture
def both(portal, mp):
    return ChannelRegistry([portal, mp])


@pytest.fixture
def web(engine, world, tmp_path):
    app = create_app(Settings(database_url=str(engine.url), secret_key="test-secret-key-for-web-0123456789abcdef",
                              files_dir=str(tmp_path / "files")), engine=engine)  # fmt: skip
    with WebClient(app, raise_server_exceptions=False) as c:
        c.page("/login")
        assert c.submit("/login", {"login": "admin", "password": world.password, "next": "/"}).status_code == 303
        yield c


def portal_live_mp_failed(engine, world, wechat_emulator, both) -> tuple[int, int, int]:
    portal_pid, mp_pid = approved_item(engine, world, channels=("portal", "mp"), title=TITLE)
    wechat_emulator.fail("draft/add", 40007, errmsg="invalid media_id hint: [sandbox]")  # WeChat refuses for good
    assert dispatch_once(engine, both, cfg()).outcomes == {"confirmed": 1, "failed": 1}
    return pub(engine, portal_pid).item_id, portal_pid, mp_pid


def test_the_item_page_says_where_it_is_live_and_what_failed(engine, world, wechat_emulator, both, web):
    item_id, _, mp_pid = portal_live_mp_failed(engine, world, wechat_emulator, both)
    page = web.page(f"/items/{item_id}")
    assert page.status_code == 200
    assert "已发布：门户网站；微信公众号：发送失败" in page.text
    # the stored error is Chinese from the start, the WeChat code kept
    error = pub(engine, mp_pid).last_error
    assert "素材（media_id）无效" in error and "40007" in error and "invalid media_id" not in error


def test_the_public_page_names_the_live_channels_only(engine, world, wechat_emulator, mp, both, web):
    item_id, _, mp_pid = portal_live_mp_failed(engine, world, wechat_emulator, both)
    page = web.get(f"/p/test-town/{item_id}")
    assert page.status_code == 200 and 'id="live-channels"' in page.text
    assert "已发布：门户网站</div>" in page.text and "微信公众号" not in page.text and "失败" not in page.text

    with Session(engine) as s:  # the drafter resends the official account; this time it goes out
        retry_publication(s, pub_id=mp_pid, actor=s.get(User, world.drafter))
        s.commit()
    dispatch_once(engine, both, cfg())
    assert reconcile.confirm_sent(engine, both, cfg()) == {"confirmed": 1}
    assert "已发布：门户网站、微信公众号</div>" in web.get(f"/p/test-town/{item_id}").text
    assert "已发布：门户网站、微信公众号" in web.page(f"/items/{item_id}").text


def test_a_pending_item_says_what_is_on_its_way(engine, world, web):
    [pid] = approved_item(engine, world, channels=("portal",), title=TITLE)
    with Session(engine) as s:
        item_id = s.get(Publication, pid).item_id
    assert "门户网站：等待发送" in web.page(f"/items/{item_id}").text
    assert web.get(f"/p/test-town/{item_id}").status_code == 404  # nothing public before a channel is live
