"""Editor, review chain and item pages through the web forms, on both databases."""

from __future__ import annotations

import io
import re

from docx import Document
from sqlmodel import Session, select

from content.models import Category, Item
from tests.web.pages.conftest import HTML


def _topic_id(engine, name="其他") -> int:
    with Session(engine) as s:
        return s.exec(select(Category).where(Category.taxonomy == "topic", Category.name == name)).one().id


def _form(engine, **over) -> dict:
    data = {"title": "关于春季防火的通告", "digest": "请注意防火", "author": "党政办",
            "body_html": "<p><strong>各村：</strong>春季<em>防火</em>。</p>", "topic_id": str(_topic_id(engine)),
            "area_id": "", "channels": ["portal"], "origin": "original", "publish_mode": "now",
            "disclosure_type": "proactive"}
    data.update(over)
    return data


def _new(c, engine, **over) -> int:
    r = c.submit("/items/new", _form(engine, **over))
    assert r.status_code == 303, r.text
    return int(re.search(r"/items/(\d+)", r.headers["location"]).group(1))


def test_drafter_creates_submits_and_reviewers_approve(client_for, engine, world):
    drafter = client_for("drafter")
    assert drafter.page("/items/new").status_code == 200
    item_id = _new(drafter, engine)
    page = drafter.page(f"/items/{item_id}/edit")
    assert "提交前检查" in page.text and "关于春季防火的通告" in page.text
    r = drafter.submit(f"/items/{item_id}/edit", {**_form(engine), "intent": "submit"})
    assert r.status_code == 303 and r.headers["location"] == f"/items/{item_id}?submitted=1"

    head = client_for("head_a")
    dash = head.page("/")
    assert "关于春季防火的通告" in dash.text and f"/items/{item_id}/review" in dash.text
    review = head.page(f"/items/{item_id}/review")
    assert 'id="btn-approve"' in review.text and 'id="btn-reject"' in review.text
    assert 'id="btn-emergency_publish"' not in review.text
    content_hash = re.search(r'name="content_hash" value="([0-9a-f]{64})"', review.text).group(1)
    r = head.submit(f"/items/{item_id}/action", {"action": "approve", "content_hash": content_hash})
    assert r.status_code == 303

    leader = client_for("leader")
    leader.page(f"/items/{item_id}")
    r = leader.submit(f"/items/{item_id}/action", {"action": "approve", "content_hash": content_hash})
    assert r.status_code == 303
    with Session(engine) as s:
        assert s.get(Item, item_id).state == "approved"
    page = drafter.page(f"/items/{item_id}")
    assert "已通过" in page.text and "分管领导审核" in page.text and "网页" in page.text


def test_reject_needs_reason_and_drafter_sees_it(client_for, engine, world):
    drafter = client_for("drafter")
    item_id = _new(drafter, engine)
    drafter.page(f"/items/{item_id}")
    assert drafter.submit(f"/items/{item_id}/action", {"action": "submit"}).status_code == 303
    head = client_for("head_a")
    head.page(f"/items/{item_id}/review")
    r = head.submit(f"/items/{item_id}/action", {"action": "reject", "reason": "  "})
    assert r.status_code == 303 and "请填写理由" in head.page(r.headers["location"]).text  # POST-redirect-GET
    r = head.submit(f"/items/{item_id}/action", {"action": "reject", "reason": "<b>数据</b>有误"})
    assert r.status_code == 303
    dash = drafter.page("/")
    assert "&lt;b&gt;数据&lt;/b&gt;有误" in dash.text and "第 1 次驳回" in dash.text


def test_drafter_cannot_approve_own_item_and_buttons_follow_available_actions(client_for, engine, world):
    drafter = client_for("drafter")
    item_id = _new(drafter, engine)
    drafter.page(f"/items/{item_id}")
    drafter.submit(f"/items/{item_id}/action", {"action": "submit"})
    page = drafter.page(f"/items/{item_id}")
    assert 'id="btn-approve"' not in page.text and 'id="btn-recall"' in page.text
    r = drafter.submit(f"/items/{item_id}/action", {"action": "approve"})
    assert r.status_code == 303 and 'id="action-message"' in drafter.page(r.headers["location"]).text


def test_inline_errors_keep_typed_values_and_escape_html(client_for, engine, world):
    drafter = client_for("drafter")
    r = drafter.submit("/items/new", _form(engine, title="", digest="<script>alert(1)</script>",
                                           publish_mode="later", publish_at="not-a-date"))
    assert r.status_code == 422
    assert 'id="error-title"' in r.text and "标题不能为空" in r.text
    assert 'id="error-publish_at"' in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text and "<script>alert(1)" not in r.text
    r = drafter.submit("/items/new", _form(engine, title="标" * 70))
    assert r.status_code == 422 and 'id="error-title"' in r.text and "64" in r.text
    assert 'value="' + "标" * 70 + '"' in r.text


def test_script_in_body_is_sanitized_and_title_escaped(client_for, engine, world):
    drafter = client_for("drafter")
    item_id = _new(drafter, engine, title="<img src=x onerror=alert(1)>",
                   body_html='<p onclick="x()">正文</p><script>alert(2)</script>')
    page = drafter.page(f"/items/{item_id}")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert "alert(2)" not in page.text and "onclick" not in page.text


def test_other_department_item_is_404_like_an_unknown_item(client_for, engine, world):
    item_id = _new(client_for("drafter"), engine)
    other = client_for("drafter_b")
    r = other.get(f"/items/{item_id}", headers=HTML)
    assert r.status_code == 404 and f"稿件 {item_id} 不存在" in r.text  # hidden answers like missing
    assert other.get("/items/99999", headers=HTML).status_code == 404
    missing = other.submit("/items/99999/action", {"action": "approve"})  # a POST on an unknown item
    assert missing.status_code == 404 and "不存在" in missing.text
    assert client_for("leader_b").page(f"/items/{item_id}").status_code == 200  # leaders see every item


def test_docx_import_and_upload_limits(client_for, engine, world):
    drafter = client_for("drafter")
    drafter.page("/items/new")
    doc = Document()
    doc.add_heading("防汛通知", level=1)
    p = doc.add_paragraph("请各村")
    p.add_run("加强值守").bold = True
    buf = io.BytesIO()
    doc.save(buf)
    headers = {"x-csrf-token": drafter.csrf}
    r = drafter.post("/items/import-docx", files={"file": ("通知.docx", buf.getvalue())}, headers=headers)
    assert r.status_code == 200, r.text
    assert "<strong>加强值守</strong>" in r.json()["html"] and "防汛通知" in r.json()["html"]
    r = drafter.post("/items/import-docx", files={"file": ("通知.doc", b"\xd0\xcf\x11\xe0old")}, headers=headers)
    assert r.status_code == 415 and ".docx" in r.json()["message"]
    r = drafter.post("/items/import-docx", files={"file": ("big.docx", b"PK" + b"0" * (20 * 1024 * 1024))},
                     headers=headers)
    assert r.status_code == 413 and "20 MB" in r.json()["message"]
    r = drafter.post("/items/import-docx", files={"file": ("x.docx", buf.getvalue())})
    assert r.status_code == 403  # no CSRF token
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    r = drafter.post("/items/upload-image", files={"file": ("图.png", png)}, headers=headers)
    assert r.status_code == 200 and r.json()["url"].startswith("/files/")  # the file store, not a data: URI
    r = drafter.post("/items/upload-image", files={"file": ("a.gif", b"GIF89a....")}, headers=headers)
    assert r.status_code == 415 and "jpg" in r.json()["message"]
    r = drafter.post("/items/upload-image", files={"file": ("a.png", png + b"\0" * (10 * 1024 * 1024))},
                     headers=headers)
    assert r.status_code == 413 and "10 MB" in r.json()["message"]


def test_list_filters_calendar_and_previews(client_for, engine, world):
    drafter = client_for("drafter")
    a = _new(drafter, engine, title="甲稿件")
    _new(drafter, engine, title="乙稿件", channels=["mp"])
    r = drafter.page("/items?q=甲")
    assert "甲稿件" in r.text and "乙稿件" not in r.text
    r = drafter.page("/items?channel=mp")
    assert "乙稿件" in r.text and "甲稿件" not in r.text
    r = drafter.page("/items?since=bad")
    assert r.status_code == 200 and "日期格式" in r.text
    assert drafter.page("/calendar").status_code == 200
    assert drafter.page("/calendar?month=2026-02").status_code == 200
    assert "甲稿件" in drafter.page(f"/items/{a}/preview/portal").text
    assert 'class="phone"' in drafter.page(f"/items/{a}/preview/mp").text


def test_principal_emergency_publication_needs_a_reason(client_for, engine, world):
    drafter = client_for("drafter")
    item_id = _new(drafter, engine, sensitive="1")
    drafter.page(f"/items/{item_id}")
    assert drafter.submit(f"/items/{item_id}/action", {"action": "submit"}).status_code == 303
    assert 'id="btn-emergency_publish"' not in client_for("head_a").page(f"/items/{item_id}").text
    principal = client_for("principal")
    page = principal.page(f"/items/{item_id}")
    assert 'id="btn-emergency_publish"' in page.text
    r = principal.submit(f"/items/{item_id}/action", {"action": "emergency_publish", "reason": ""})
    assert r.status_code == 303 and 'id="error-reason_emergency_publish"' in principal.page(r.headers["location"]).text
    r = principal.submit(f"/items/{item_id}/action", {"action": "emergency_publish", "reason": "汛情紧急"})
    assert r.status_code == 303
    with Session(engine) as s:
        item = s.get(Item, item_id)
        assert item.state == "approved" and item.review_incomplete
    assert "未完成审核" in drafter.page(f"/items/{item_id}").text
