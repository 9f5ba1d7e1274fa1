"""Issue 21 walk, finding 2: the photos of a published item show on the portal's article page (another site),
for a visitor and for a signed-in colleague whose browser sends gongkai's cookie along."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from content.db.db import make_engine
from content.models import Item, ItemState
from sandbox.portal_emulator import PortalEmulator
from tests.browser.conftest import Visitor
from tests.web.pages.test_uploads import png

pytestmark = pytest.mark.browser


def _publish(sqlite_url: str, title: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with Session(engine) as s:
            item = s.exec(select(Item).where(Item.title == title)).one()
            item.state = ItemState.published
            s.add(item)
            s.commit()
    finally:
        engine.dispose()


def _loaded(v: Visitor, url: str) -> list[int]:
    v.page.goto(url)
    v.page.wait_for_load_state("load")
    v.shot("portal-article")
    return v.page.evaluate("() => Array.from(document.images, i => i.complete ? i.naturalWidth : -1)")


def test_published_photos_load_on_the_portal_article_page(browser, demo_server, tmp_path, request):
    base, sqlite_url = demo_server
    drafter = Visitor(browser, base, request.node.name, "zhangwei")
    anon = Visitor(browser, base, request.node.name, "anon")
    try:
        drafter.login("zhangwei", "shifan-2025")
        page = drafter.page
        drafter.goto("/items/new", "new")
        photo = tmp_path / "现场.png"
        photo.write_bytes(png(side=80, seed=33))
        with page.expect_response(lambda r: r.url.endswith("/items/upload-image")) as answer:
            page.set_input_files("#cover-file", str(photo))
        url = answer.value.json()["url"]
        title = "门户图片跨站显示测试"
        page.fill("#title", title)
        page.select_option("#topic_id", index=1)
        page.click("#editor-text [contenteditable]")
        page.keyboard.type("正文。")
        page.click("#save-btn")
        page.wait_for_url(re.compile(r".*/items/\d+/edit\?saved=1$"))
        _publish(sqlite_url, title)

        with PortalEmulator() as portal:
            post = {"title": title, "column": "T01", "body_html": f'<p><img src="{base}{url}" alt="现场"></p>'}
            made = drafter.page.request.post(portal.url + "/api/v1/posts", data=post,
                                             headers={"Idempotency-Key": "portal-img"})
            assert made.status == 201
            # the portal is another site: reach it as localhost while gongkai is 127.0.0.1
            article = made.json()["url"].replace("127.0.0.1", "localhost")
            assert _loaded(anon, article) == [80]
            assert _loaded(drafter, article) == [80]
    finally:
        errors = drafter.errors + anon.errors
        drafter.context.close()
        anon.context.close()
    assert not [e for e in errors if "NotSameSite" in e or "BLOCKED" in e], errors
