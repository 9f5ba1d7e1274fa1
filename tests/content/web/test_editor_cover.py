"""Editor: cover image and attachments, stored as data: URIs in the item (both databases)."""

from __future__ import annotations

import base64
import random
import re
import struct
import zlib

from sqlmodel import Session, select

from content.models import AuditEvent, Category, Item, Revision
from tests.content.web.conftest import HTML


def _png(side: int = 64) -> bytes:
    """A real PNG of noise (~12 KB: far longer as a data: URI than the VARCHAR(500) of 0001_core)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    noise = random.Random(7)
    raw = zlib.compress(b"".join(b"\x00" + noise.randbytes(side * 3) for _ in range(side)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _new_item(c, engine) -> int:
    with Session(engine) as s:
        topic = s.exec(select(Category).where(Category.taxonomy == "topic", Category.name == "其他")).one().id
    r = c.submit("/items/new", {"title": "关于秋季征兵的通告", "body_html": "<p>正文</p>", "topic_id": str(topic),
                                "channels": ["portal", "mp"], "origin": "original", "publish_mode": "now",
                                "disclosure_type": "proactive"})  # fmt: skip
    assert r.status_code == 303, r.text
    return int(re.search(r"/items/(\d+)", r.headers["location"]).group(1))


def _upload(c, url: str, name: str, data: bytes, mime: str = "application/octet-stream"):
    return c.post(url, data={"csrf_token": c.csrf}, files={"file": (name, data, mime)}, headers=HTML,
                  follow_redirects=False)


def _item(engine, item_id: int) -> Item:
    with Session(engine) as s:
        return s.get(Item, item_id)


def _revisions(engine, item_id: int) -> list[Revision]:
    with Session(engine) as s:
        return list(s.exec(select(Revision).where(Revision.item_id == item_id).order_by(Revision.number)))


def test_cover_image_upload_checks_and_removal(client_for, engine):
    drafter = client_for("drafter")
    assert 'id="media-after-save"' in drafter.page("/items/new").text
    item_id = _new_item(drafter, engine)
    page = drafter.page(f"/items/{item_id}/edit")
    assert 'id="cover-form"' in page.text and 'id="no-cover"' in page.text

    url = f"/items/{item_id}/cover"
    r = _upload(drafter, url, "cover.gif", b"GIF89a" + b"\x00" * 100, "image/gif")
    assert r.status_code == 415 and 'id="error-cover_image"' in r.text and "只能上传 jpg 或 png" in r.text
    r = _upload(drafter, url, "big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (1024 * 1024), "image/png")
    assert r.status_code == 413 and "小于 1 MB" in r.text
    r = drafter.post(url, data={"csrf_token": drafter.csrf}, headers=HTML, follow_redirects=False)
    assert r.status_code == 422 and "请选择要上传的文件" in r.text
    forged = client_for("drafter")
    forged.csrf = "forged-token"
    assert _upload(forged, url, "cover.png", _png(), "image/png").status_code == 403
    assert _item(engine, item_id).cover_image is None and len(_revisions(engine, item_id)) == 1

    r = _upload(drafter, url, "cover.png", _png(), "image/png")
    assert r.status_code == 303 and r.headers["location"] == f"/items/{item_id}/edit?saved=1#media"
    cover = _item(engine, item_id).cover_image
    assert len(cover) > 10_000
    assert cover.startswith("data:image/png;base64,") and base64.b64decode(cover.split(",", 1)[1]) == _png()
    revisions = _revisions(engine, item_id)
    assert len(revisions) == 2 and revisions[-1].content["cover_image"] == cover
    page = drafter.page(f"/items/{item_id}/edit")
    assert 'id="cover-preview"' in page.text and "公众号图文未设置封面图" not in page.text

    # someone of another department may not change it
    r = _upload(client_for("drafter_b"), url, "cover.png", _png(), "image/png")
    assert r.status_code == 403

    assert drafter.submit(f"/items/{item_id}/cover/delete").status_code == 303
    assert _item(engine, item_id).cover_image is None
    with Session(engine) as s:
        edits = s.exec(select(AuditEvent).where(AuditEvent.action == "item.edit",
                                                AuditEvent.target_id == item_id)).all()
        assert len(edits) == 2


def test_attachments_upload_download_and_delete(client_for, engine):
    drafter = client_for("drafter")
    item_id = _new_item(drafter, engine)
    drafter.page(f"/items/{item_id}/edit")
    url = f"/items/{item_id}/attachments"
    r = _upload(drafter, url, "setup.exe", b"MZ\x90\x00")
    assert r.status_code == 415 and 'id="error-attachments"' in r.text and "pdf" in r.text
    r = _upload(drafter, url, "renamed.pdf", b"MZ\x90\x00" * 10)
    assert r.status_code == 415 and "不是有效的 .pdf 文件" in r.text
    r = _upload(drafter, url, "huge.pdf", b"%PDF-" + b"0" * (1536 * 1024))
    assert r.status_code == 413 and "1536 KB" in r.text
    assert _item(engine, item_id).attachments == []

    assert _upload(drafter, url, "征兵通告.pdf", PDF, "application/pdf").status_code == 303
    assert _upload(drafter, url, "C:\\报名表.xlsx", b"PK\x03\x04" + b"\x00" * 40).status_code == 303
    attachments = _item(engine, item_id).attachments
    assert [a["name"] for a in attachments] == ["征兵通告.pdf", "报名表.xlsx"]
    assert attachments[0]["data"] == "data:application/pdf;base64," + base64.b64encode(PDF).decode()

    page = drafter.page(f"/items/{item_id}/edit")
    assert f'href="/items/{item_id}/attachments/0"' in page.text and "报名表.xlsx" in page.text
    r = drafter.get(f"/items/{item_id}/attachments/0", headers=HTML)
    assert r.status_code == 200 and r.content == PDF and r.headers["content-type"] == "application/pdf"
    assert "attachment;" in r.headers["content-disposition"]
    assert drafter.get(f"/items/{item_id}/attachments/5", headers=HTML).status_code == 404
    assert client_for("drafter_b").get(f"/items/{item_id}/attachments/0", headers=HTML).status_code == 403

    # a stale page (name does not match the index any more) changes nothing
    r = drafter.submit(f"{url}/delete", {"index": "0", "name": "报名表.xlsx"})
    assert r.status_code == 422 and "请刷新页面" in r.text
    assert len(_item(engine, item_id).attachments) == 2
    assert drafter.submit(f"{url}/delete", {"index": "0", "name": "征兵通告.pdf"}).status_code == 303
    assert [a["name"] for a in _item(engine, item_id).attachments] == ["报名表.xlsx"]
    assert _revisions(engine, item_id)[-1].content["attachments"][0]["name"] == "报名表.xlsx"
