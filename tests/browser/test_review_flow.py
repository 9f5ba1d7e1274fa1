"""The review chain in real browsers: drafter → department head → leader, rejection, mobile preview."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document

pytestmark = pytest.mark.browser

PASTED_HTML = ('<p class="MsoNormal"><b>各村（社区）：</b>现将<span style="color:#c00000">春耕备耕</span>'
               '有关事项通知如下。</p><ul><li>落实责任</li><li>做好宣传</li></ul>')


def _docx_bytes() -> bytes:
    doc = Document()
    doc.add_heading("附：工作安排", level=2)
    p = doc.add_paragraph("三月底前完成")
    p.add_run("摸底排查").bold = True
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _paste(v, html: str) -> None:
    """A real Ctrl+V: put HTML on the browser's clipboard (as Word does), then paste into the editor."""
    v.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=v.base)
    v.page.evaluate(
        """async html => {
            const item = new ClipboardItem({
                'text/html': new Blob([html], {type: 'text/html'}),
                'text/plain': new Blob([html.replace(/<[^>]+>/g, '')], {type: 'text/plain'}),
            });
            await navigator.clipboard.write([item]);
        }""",
        html,
    )
    v.page.click("#editor-text [contenteditable]")
    v.page.keyboard.press("Control+V")


def _draft(v, title: str, *, docx: bytes | None = None) -> int:
    page = v.page
    v.goto("/items/new", "editor")
    page.fill("#title", title)
    page.fill("#digest", "春耕备耕工作安排")
    page.select_option("#topic_id", label="其他")
    page.check("input[name=channels][value=portal]")
    _paste(v, PASTED_HTML)
    page.wait_for_function("() => document.querySelector('#body_html').value.includes('春耕备耕')")
    if docx:
        page.set_input_files("#docx-file", files=[{"name": "安排.docx", "mimeType":
                             "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                             "buffer": docx}])
        page.wait_for_function("() => document.querySelector('#upload-status').textContent.includes('已导入')")
    v.shot("editor-filled")
    page.click("#submit-btn")
    page.wait_for_url(re.compile(r".*/items/\d+\?submitted=1$"))
    v.shot("submitted")
    return int(re.search(r"/items/(\d+)", page.url).group(1))


def _decide(v, item_id: int, action: str, reason: str | None = None) -> None:
    v.goto("/", "dashboard-pending")
    assert v.page.locator(f'#pending-reviews a[href="/items/{item_id}/review"]').count() == 1
    v.goto(f"/items/{item_id}/review", "review")
    if reason is not None:
        v.page.fill(f"#reason-{action}", reason)
    v.page.click(f"#btn-{action}")
    v.page.wait_for_url(re.compile(rf".*/items/{item_id}\?done={action}$"))
    v.shot(f"after-{action}")


def test_drafter_submits_and_two_reviewers_approve(visitors):
    drafter = visitors("drafter")
    item_id = _draft(drafter, "关于做好春耕备耕工作的通知", docx=_docx_bytes())
    body = drafter.page.inner_html("#revision .body-html")
    assert "<strong>各村（社区）：</strong>" in body, body  # Word's bold survived the paste
    assert re.search(r'<span style="color: ?rgb\(192, 0, 0\);?">春耕备耕</span>', body), body  # and its colour
    assert "<li>落实责任</li>" in body
    assert "<strong>摸底排查</strong>" in body and "附：工作安排" in body  # the imported .docx

    _decide(visitors("head_a"), item_id, "approve")
    leader = visitors("leader")
    _decide(leader, item_id, "approve")
    assert leader.page.inner_text("#item-state") == "已通过"

    drafter.goto(f"/items/{item_id}", "approved")
    assert drafter.page.inner_text("#item-state") == "已通过"
    history = drafter.page.inner_text("#history")
    assert "供稿部门负责人审核" in history and "分管领导审核" in history and "网页" in history


def test_rejection_reason_reaches_the_drafter(visitors):
    drafter = visitors("drafter")
    item_id = _draft(drafter, "关于调整办公时间的通知")
    head = visitors("head_a")
    head.goto(f"/items/{item_id}/review", "review")
    head.expect_status(422)
    head.page.click("#btn-reject")  # empty reason: refused inline, nothing changes
    head.page.wait_for_selector("#error-reason_reject")
    head.shot("reason-required")
    assert "请填写理由" in head.page.inner_text("#error-reason_reject")
    _decide(head, item_id, "reject", reason="落款日期有误，请核对")

    drafter.goto("/?mine_state=rejected", "dashboard-rejected")  # 我的稿件, the 已驳回 tab
    row = drafter.page.inner_text("#my-items")
    assert "落款日期有误，请核对" in row and "第 1 次驳回" in row


def test_mobile_preview_at_375px_and_tampered_link_refused(visitors, live_server):
    drafter = visitors("drafter")
    item_id = _draft(drafter, "关于开展全民健身活动的通知")
    drafter.goto(f"/items/{item_id}", "item")
    link = drafter.page.get_attribute("#mobile-preview-link", "href")
    assert link.startswith("/m/preview/")

    phone = visitors(None, viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    response = phone.goto(link, "mobile-preview")
    assert response.status == 200
    assert phone.page.inner_text("h1") == "关于开展全民健身活动的通知"
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
    phone.expect_status(403)
    response = phone.goto(link[:-3] + "xyz", "tampered-preview")
    assert response.status == 403 and "预览链接无效" in phone.page.inner_text("body")
