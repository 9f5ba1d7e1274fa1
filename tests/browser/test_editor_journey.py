"""The editor in a real browser at 1366×768 and 375×812: type, paste from Word, leave, restore, lose the
session, log in again elsewhere, save — nothing is lost, bold stays where it was, nothing overflows."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import horizontal_overflow

pytestmark = pytest.mark.browser

WORD_PASTE = '<span style="font-family:仿宋_GB2312">为切实做好<b>冬季安全生产</b>工作。</span>'
VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 375, "height": 812}}
DRAFT_KEY = "() => Object.keys(localStorage).filter(k => k.startsWith('gongkai:draft:'))"


def _paste(v, html: str) -> None:
    """A real Ctrl+V with HTML on the clipboard, as Word puts it there."""
    v.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=v.base)
    v.page.evaluate("""async html => {
        await navigator.clipboard.write([new ClipboardItem({
            'text/html': new Blob([html], {type: 'text/html'}),
            'text/plain': new Blob([html.replace(/<[^>]+>/g, '')], {type: 'text/plain'})})]);
    }""", html)
    v.page.click("#editor-text [contenteditable]")
    v.page.keyboard.press("Control+V")


def _no_overflow(v) -> None:
    problem = horizontal_overflow(v.page)
    assert problem is None, problem


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_editor_never_loses_work(visitors, viewport):
    v = visitors("drafter", viewport=VIEWPORTS[viewport])
    page = v.page
    v.goto("/items/new", "new")
    _no_overflow(v)
    title = f"关于做好冬季安全生产工作的通知（{viewport}）"
    page.fill("#title", title)
    page.select_option("#topic_id", label="其他")
    _paste(v, WORD_PASTE)
    page.wait_for_function("() => document.querySelector('#body_html').value.includes('冬季安全生产')")
    body = page.evaluate("() => window.gongkaiEditor.getHtml()")
    bold = re.findall(r"<strong>(.*?)</strong>", body)
    assert bold == ["冬季安全生产"], body  # not the whole paragraph
    assert "仿宋" in body
    page.wait_for_function(f"() => ({DRAFT_KEY})().length === 1")  # autosaved in this browser
    v.shot("typed")

    # leave: the browser asks first; the person leaves anyway
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.accept()))
    page.goto(v.base + "/")
    page.wait_for_url(v.base + "/")
    assert dialogs == ["beforeunload"]

    # come back: the restore prompt brings everything back
    v.goto("/items/new", "restore-prompt")
    assert page.is_visible("#draft-restore")
    page.click("#draft-restore-btn")
    assert page.input_value("#title") == title
    assert "<strong>冬季安全生产</strong>" in page.evaluate("() => window.gongkaiEditor.getHtml()")
    _no_overflow(v)

    # the session ends (timeout, logout elsewhere): saving keeps the text and offers a login
    v.context.clear_cookies()
    page.click("#save-btn")
    page.wait_for_selector("#editor-alert:not([hidden]) #login-again")
    assert "登录已过期" in page.inner_text("#editor-alert")
    assert page.input_value("#title") == title and page.url.endswith("/items/new")
    assert page.evaluate(f"() => ({DRAFT_KEY})().length") == 1
    v.shot("session-expired")
    _no_overflow(v)

    # log in again in another tab, then save again here: one item, draft cleared
    other = v.context.new_page()
    other.goto(v.base + "/login")
    other.fill("#login", "drafter")
    other.fill("#password", "pass-word-123")
    other.click("button[type=submit]")
    other.wait_for_url(re.compile(r".*/(\?.*)?$"))
    other.close()
    v.expect_status(403)  # the first try carries the old page's CSRF token; the script renews it
    page.click("#save-btn")
    page.wait_for_url(re.compile(r".*/items/\d+/edit\?saved=1$"))
    assert page.input_value("#title") == title
    assert page.evaluate(f"() => ({DRAFT_KEY})().length") == 0
    assert "<strong>冬季安全生产</strong>" in page.evaluate("() => window.gongkaiEditor.getHtml()")
    v.shot("saved")
    _no_overflow(v)

    # 公文排版: body in 仿宋 with a first-line indent, bold still in place
    page.click("#gongwen-btn")
    body = page.evaluate("() => window.gongkaiEditor.getHtml()")
    assert "text-indent: 2em" in body and re.findall(r"<strong>(.*?)</strong>", body) == ["冬季安全生产"]

    # submit, then Back: a read-only view with 撤回后修改, never a 500
    page.click("#submit-btn")
    page.wait_for_url(re.compile(r".*/items/\d+\?submitted=1$"))
    page.go_back()
    page.wait_for_selector("#readonly-view")
    buttons = page.locator("#readonly-view .actions").bounding_box()
    title = page.locator("#readonly-view .readonly-title").bounding_box()
    assert title["y"] - (buttons["y"] + buttons["height"]) >= 12, "title sits against the buttons (walk 13a)"
    _no_overflow(v)
    v.shot("readonly")
    page.click("#recall-edit-btn")
    page.wait_for_selector("#item-form")
    assert "已撤回为草稿" in page.inner_text("#editor-notice")
    _no_overflow(v)
