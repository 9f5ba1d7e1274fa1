"""Old-link downloads of `{name, data}` attachments written without a file store (both databases)."""

from __future__ import annotations

import base64

from sqlmodel import Session

from content.models import User
from content.store import create_item
from tests.web.pages.test_uploads import PDF


def legacy_item(engine, world, attachments) -> int:
    with Session(engine) as s:  # no file context on this session: data: URIs are kept as they are
        item = create_item(s, actor=s.get(User, world.drafter),
                           data={"title": "旧附件", "body_html": "<p>正文</p>", "channels": ["portal"],
                                 "attachments": attachments})
        s.commit()
        return item.id


def test_a_legacy_data_attachment_downloads_inert(client_for, engine, world):
    uri = "data:application/pdf;base64," + base64.b64encode(PDF).decode()
    item_id = legacy_item(engine, world, [{"name": "旧通知.pdf", "data": uri}])
    drafter = client_for("drafter")
    r = drafter.get(f"/items/{item_id}/attachments/0")
    assert r.status_code == 200 and r.content == PDF
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("attachment;") and "%E6%97%A7" in r.headers["content-disposition"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert client_for("drafter_b").get(f"/items/{item_id}/attachments/0").status_code == 404  # other department


def test_a_legacy_attachment_that_lies_about_its_type_is_octet_stream(client_for, engine, world):
    uri = "data:application/pdf;base64," + base64.b64encode(b"<script>alert(1)</script>").decode()
    item_id = legacy_item(engine, world, [{"name": "x.pdf", "data": uri}])
    r = client_for("drafter").get(f"/items/{item_id}/attachments/0")
    assert r.status_code == 200 and r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"].startswith("attachment;")
