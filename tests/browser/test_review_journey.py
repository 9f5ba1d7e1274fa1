"""A leader reads and approves an item with a 2000 px wide photo, at 1366×768 and at 375×812 (issue #21)."""

from __future__ import annotations

import base64
import re
import struct
import zlib

import httpx
import pytest

from tests.browser.conftest import horizontal_overflow

pytestmark = pytest.mark.browser

VIEWPORTS = [{"width": 1366, "height": 768}, {"width": 375, "height": 812}]


def _wide_png(width: int = 2000, height: int = 600) -> str:
    """A real PNG of `width` × `height` pixels as a data: URI (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes([200, 60, 60]) * width
    raw = zlib.compress(row * height, 9)
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", raw) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _submitted_item(base: str, password: str, title: str) -> int:
    """Drafted and submitted through the JSON API, as a drafter's client would."""
    with httpx.Client(base_url=base, timeout=30) as api:
        token = api.post("/api/v1/auth/token", json={"login": "drafter", "password": password}).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        body = (f"<p>各村（社区）：现将防汛检查现场情况通报如下。</p><p><img src=\"{_wide_png()}\" width=\"2000\" "
                f"alt=\"防汛检查现场\"></p><p>请各村对照整改，于本周五前报送整改情况。</p>"
                # no alt: the 检查提示 about it must name the picture and wrap, not print its URL
                f"<p><img src=\"{_wide_png(300, 40)}\"></p>")
        r = api.post("/api/v1/items", headers=auth, json={"title": title, "digest": "防汛检查情况通报",
                                                          "body_html": body, "topic": "其他", "channels": ["portal"]})
        assert r.status_code == 201, r.text
        item_id = r.json()["id"]
        r = api.post(f"/api/v1/items/{item_id}/submit", headers=auth)
        assert r.status_code == 200, r.text
        return item_id


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["1366", "375"])
def test_leader_reads_a_wide_photo_and_approves_from_the_bar(visitors, live_server, viewport):
    base, world = live_server
    item_id = _submitted_item(base, world.password, f"关于防汛检查情况的通报（{viewport['width']}）")
    phone = viewport["width"] < 800
    head = visitors("head_a", viewport=viewport, is_mobile=phone, has_touch=phone)
    page = head.page
    head.goto(f"/items/{item_id}/review", "review")

    problem = horizontal_overflow(page)
    assert problem is None, problem
    photo = page.locator("#article img").first.bounding_box()
    assert photo["width"] <= viewport["width"]
    history = page.locator("#history").bounding_box()
    overlaps = (photo["x"] < history["x"] + history["width"] and history["x"] < photo["x"] + photo["width"]
                and photo["y"] < history["y"] + history["height"] and history["y"] < photo["y"] + photo["height"])
    assert not overlaps, "the photo covers the 审核记录"
    assert page.locator("#hash-details").get_attribute("open") is None  # hashes only behind 详情

    if phone:  # the article comes first and the menu is folded behind an accessible button
        assert page.locator("#article").bounding_box()["y"] < history["y"]
        toggle = page.locator(".nav-toggle")
        assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
        assert not page.locator("#mainnav").is_visible()
        toggle.click()
        assert page.locator("#mainnav").is_visible() and toggle.get_attribute("aria-expanded") == "true"
        toggle.click()

    bar = page.locator("#decide-bar")
    assert bar.is_visible()
    box = bar.bounding_box()
    assert box["y"] + box["height"] <= viewport["height"] + 1  # on screen before any scrolling: sticky
    page.click(".chip[data-fill='同意发布']")
    assert page.input_value("#reason-reject") == "同意发布"
    head.shot("chip")
    page.click("#btn-approve")
    page.wait_for_url(re.compile(rf".*/items/{item_id}\?done=approve$"))
    head.shot("approved")
    assert "已同意" in page.inner_text("#done-flash")
    assert "同意发布" in page.inner_text("#history")
    problem = horizontal_overflow(page)
    assert problem is None, problem
