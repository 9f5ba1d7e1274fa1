"""Uploads into the file store, the editor's media fields, and /files/<sha256> serving (both databases)."""

from __future__ import annotations

import hashlib
import json
import random
import re
import struct
import zlib

from sqlmodel import Session, select

from content.files.models import StoredFile
from content.models import Category, Item, ItemState, Revision

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JSON = {"accept": "application/json"}


def png(side: int = 64, seed: int = 7) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    noise = random.Random(seed)
    raw = zlib.compress(b"".join(b"\x00" + noise.randbytes(side * 3) for _ in range(side)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def upload(c, url: str, name: str, data: bytes, mime: str = "application/octet-stream"):
    return c.post(url, data={"csrf_token": c.csrf}, files={"file": (name, data, mime)},
                  headers={**JSON, "X-CSRF-Token": c.csrf}, follow_redirects=False)


def topic_id(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(Category).where(Category.taxonomy == "topic", Category.name == "其他")).one().id


def form(engine, **extra) -> dict:
    return {"title": "关于秋季征兵的通告", "body_html": "<p>正文</p>", "topic_id": str(topic_id(engine)),
            "channels": ["portal", "mp"], "origin": "original", "publish_mode": "now",
            "disclosure_type": "proactive", **extra}


def new_item(c, engine, **extra) -> int:
    r = c.submit("/items/new", form(engine, **extra))
    assert r.status_code == 303, r.text
    return int(re.search(r"/items/(\d+)", r.headers["location"]).group(1))


def item(engine, item_id: int) -> Item:
    with Session(engine) as s:
        return s.get(Item, item_id)


def test_image_upload_goes_to_the_store_once_and_answers_json(client_for, engine, web_app):
    drafter = client_for("drafter")
    drafter.page("/items/new")
    data = png()
    r = upload(drafter, "/items/upload-image", "照片.png", data, "image/png")
    assert r.status_code == 200, r.text
    body = r.json()
    sha = hashlib.sha256(data).hexdigest()
    assert body["url"] == f"/files/{sha}" and body["size"] == len(data) and body["mime"] == "image/png"
    assert body["alt"] == "照片"
    again = upload(drafter, "/items/upload-image", "copy.png", data, "image/png")
    assert again.json()["url"] == body["url"]
    with Session(engine) as s:
        rows = s.exec(select(StoredFile).where(StoredFile.sha256 == sha)).all()
    assert len(rows) == 1 and rows[0].original_name == "照片.png"
    stored = web_app.state.files.backend.get(sha)
    assert stored == data  # the bytes are in the store, not in a row


def test_upload_refusals_are_json_with_chinese_messages(client_for, engine, web_app):
    drafter = client_for("drafter")
    drafter.page("/items/new")
    r = upload(drafter, "/items/upload-image", "a.gif", b"GIF89a" + b"\x00" * 100, "image/gif")
    assert r.status_code == 415 and r.json()["code"] == "image_type" and "jpg 或 png" in r.json()["message"]
    r = upload(drafter, "/items/upload-attachment", "virus.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    assert r.status_code == 415 and r.json()["code"] == "attachment_content"
    r = upload(drafter, "/items/upload-attachment", "run.exe", b"MZ")
    assert r.status_code == 415 and r.json()["code"] == "attachment_type"
    limit = web_app.state.settings.attachment_max_bytes
    r = upload(drafter, "/items/upload-attachment", "big.pdf", PDF + b"\x00" * limit)
    assert r.status_code == 413 and r.json()["code"] == "attachment_too_large" and "20 MB" in r.json()["message"]
    with Session(engine) as s:
        assert s.exec(select(StoredFile)).all() == []


def test_a_12_mb_scanned_pdf_passes_the_body_limit_but_other_routes_keep_the_small_one(client_for, engine):
    drafter = client_for("drafter")
    drafter.page("/items/new")
    big = PDF + b"0" * (12 * 1024 * 1024)
    r = upload(drafter, "/items/upload-attachment", "扫描件.pdf", big, "application/pdf")
    assert r.status_code == 200, r.text[:200]
    assert r.json()["name"] == "扫描件.pdf" and r.json()["size"] == len(big)
    r = drafter.post("/items/new", data={**form(engine), "csrf_token": drafter.csrf, "body_html": "x" * 3_000_000},
                     headers=JSON, follow_redirects=False)
    assert r.status_code == 413


def test_cover_and_attachments_saved_with_the_form_and_body_edits_kept(client_for, engine):
    drafter = client_for("drafter")
    drafter.page("/items/new")
    cover = upload(drafter, "/items/upload-image", "cover.png", png(), "image/png").json()
    att = upload(drafter, "/items/upload-attachment", "通知.pdf", PDF, "application/pdf").json()
    attachments = [{"name": "通知.pdf", "url": att["url"]}]
    item_id = new_item(drafter, engine, body_html="<p>未保存的正文修改</p>", cover_image=cover["url"],
                       attachments=json.dumps(attachments))
    saved = item(engine, item_id)
    assert saved.body_html == "<p>未保存的正文修改</p>"
    assert saved.cover_image == cover["url"]
    assert saved.attachments == [{"name": "通知.pdf", "url": att["url"], "size": len(PDF), "mime": "application/pdf"}]
    page = drafter.page(f"/items/{item_id}/edit").text
    assert 'name="cover_image"' in page and f'value="{cover["url"]}"' in page and 'form="item-form"' in page
    assert "data:" not in page.split('id="media"')[1]

    # a form without the media fields (an older page) leaves them alone
    drafter.submit(f"/items/{item_id}/edit", form(engine, title="改标题"))
    assert item(engine, item_id).cover_image == cover["url"]
    # removing in the page = empty fields posted with the save
    drafter.submit(f"/items/{item_id}/edit", form(engine, cover_image="", attachments="[]"))
    assert item(engine, item_id).cover_image is None and item(engine, item_id).attachments == []


def test_media_fields_refuse_foreign_files_and_bad_schemes_beside_the_field(client_for, engine):
    drafter = client_for("drafter")
    drafter.page("/items/new")
    item_id = new_item(drafter, engine)
    never_uploaded = "/files/" + "ab" * 32
    r = drafter.submit(f"/items/{item_id}/edit", form(engine, cover_image=never_uploaded))
    assert r.status_code == 422 and 'id="error-cover_image"' in r.text and "不存在" in r.text
    bad = json.dumps([{"name": "x", "url": "javascript:alert(1)"}])
    r = drafter.submit(f"/items/{item_id}/edit", form(engine, attachments=bad))
    assert r.status_code == 422 and 'id="error-attachments"' in r.text
    r = drafter.submit(f"/items/{item_id}/edit", form(engine, attachments="{not json"))
    assert r.status_code in (400, 422) and 'id="error-attachments"' in r.text
    assert item(engine, item_id).attachments == [] and item(engine, item_id).cover_image is None


def test_files_are_served_with_safe_headers_to_staff_and_hidden_from_the_public(client_for, engine, web_app):
    drafter = client_for("drafter")
    drafter.page("/items/new")
    att = upload(drafter, "/items/upload-attachment", "关于 征兵.pdf", PDF, "application/pdf").json()
    img = upload(drafter, "/items/upload-image", "photo.png", png(), "image/png").json()
    item_id = new_item(drafter, engine, cover_image=img["url"],
                       attachments=json.dumps([{"name": "关于 征兵.pdf", "url": att["url"]}]))

    r = drafter.get(att["url"] + ".html")  # the URL never decides the type
    assert r.status_code == 404
    r = drafter.get(att["url"])
    assert r.status_code == 200 and r.content == PDF
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in r.headers["content-security-policy"]
    assert r.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E5%85%B3%E4%BA%8E%20%E5%BE%81%E5%85%B5.pdf" in r.headers["content-disposition"]
    assert "immutable" in r.headers["cache-control"] and r.headers["cache-control"].startswith("private")
    r = drafter.get(img["url"])
    assert r.headers["content-type"] == "image/png" and r.headers["content-disposition"].startswith("inline;")

    public = client_for(None)
    assert public.get(att["url"]).status_code == 404  # unpublished: not even its existence is told
    other_org_staff = client_for("drafter_b")  # same org, other department: staff may read org files
    assert other_org_staff.get(att["url"]).status_code == 200

    with Session(engine) as s:  # published: the public may read what the item references
        row = s.get(Item, item_id)
        row.state = ItemState.published
        s.add(row)
        s.commit()
    r = public.get(att["url"])
    assert r.status_code == 200 and r.content == PDF and r.headers["cache-control"].startswith("public")
    assert public.get(img["url"]).status_code == 200
    unrelated = upload(drafter, "/items/upload-image", "other.png", png(seed=9), "image/png").json()
    assert public.get(unrelated["url"]).status_code == 404


def test_an_altered_file_is_refused_not_served(client_for, engine, web_app):
    drafter = client_for("drafter")
    drafter.page("/items/new")
    img = upload(drafter, "/items/upload-image", "photo.png", png(), "image/png").json()
    sha = img["sha256"]
    path = web_app.state.files.backend._path(sha)
    path.write_bytes(png(seed=99))
    r = drafter.get(img["url"])
    assert r.status_code == 409 and "已被改动" in r.text and r.headers["content-type"].startswith("text/html")


def test_old_attachment_links_redirect_to_the_file(client_for, engine):
    drafter = client_for("drafter")
    drafter.page("/items/new")
    att = upload(drafter, "/items/upload-attachment", "a.pdf", PDF, "application/pdf").json()
    item_id = new_item(drafter, engine, attachments=json.dumps([{"name": "a.pdf", "url": att["url"]}]))
    r = drafter.get(f"/items/{item_id}/attachments/0", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == att["url"] + "?name=a.pdf"
    with Session(engine) as s:
        assert s.exec(select(Revision).where(Revision.item_id == item_id)).first().content["attachments"][0]["url"] \
            == att["url"]


def test_the_public_may_read_files_of_a_revision_while_it_is_being_sent(client_for, engine, web_app):
    """A portal that downloads our images while it takes the post must not get 404 (the item is not yet
    `published` then); a revision whose publication is still pending stays private."""
    from datetime import UTC, datetime

    from content.models import Publication, PublicationState

    drafter = client_for("drafter")
    drafter.page("/items/new")
    img = upload(drafter, "/items/upload-image", "photo.png", png(seed=11), "image/png").json()
    item_id = new_item(drafter, engine, cover_image=img["url"])
    public = client_for(None)
    with Session(engine) as s:
        row = s.get(Item, item_id)
        rev = s.exec(select(Revision).where(Revision.item_id == item_id)).first()
        pub = Publication(org_id=row.org_id, item_id=item_id, revision_id=rev.id, content_hash=rev.content_hash,
                          channel="portal", state=PublicationState.pending, due_at=datetime.now(UTC),
                          idempotency_key="test-key")
        s.add(pub)
        s.commit()
        pub_id = pub.id
    assert public.get(img["url"]).status_code == 404
    with Session(engine) as s:
        pub = s.get(Publication, pub_id)
        pub.state = PublicationState.claimed
        s.add(pub)
        s.commit()
    assert public.get(img["url"]).status_code == 200
