"""Issue 21 walk, 13d: the sandbox portal's article page names the column and lists the attachments, so the
sandbox shows what the portal got."""

from __future__ import annotations

import httpx

from content.models import TOPIC_HEADINGS
from sandbox.portal_emulator import PortalEmulator


def _post(portal: PortalEmulator, key: str, **data) -> str:
    r = httpx.post(portal.url + "/api/v1/posts", json={"title": "关于冬季防火的通知", "body_html": "<p>正文</p>",
                                                        **data}, headers={"Idempotency-Key": key})
    assert r.status_code == 201, r.text
    return r.json()["url"]


def test_article_page_shows_column_name_and_attachment_links():
    with PortalEmulator() as portal:
        url = _post(portal, "k1", column="T01", attachments=[
            {"name": "防火责任表.pdf", "url": "http://127.0.0.1:8123/files/" + "a" * 64},
            {"name": "<script>.pdf", "url": "javascript:alert(1)"}])
        page = httpx.get(url).text
        assert f"栏目：{TOPIC_HEADINGS[0]}（T01）" in page
        assert f"<a href='http://127.0.0.1:8123/files/{'a' * 64}'>防火责任表.pdf</a>" in page
        assert "javascript:" not in page and "<li>&lt;script&gt;.pdf</li>" in page

        other = httpx.get(_post(portal, "k2", column="X99")).text  # an unknown code is shown as it is
        assert "栏目：X99" in other and "附件" not in other
