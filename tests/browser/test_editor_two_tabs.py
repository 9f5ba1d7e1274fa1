"""Issue 21 walk, finding 4: two tabs on one item — the stale tab's 保存草稿 is refused beside the form in
Chinese and its typed text stays on the page; the first tab's save is not overwritten."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_stale_tab_save_is_refused_and_keeps_the_text(visitors):
    v = visitors("drafter")
    tab1 = v.page
    v.goto("/items/new", "new")
    tab1.fill("#title", "两个窗口同时修改的测试通知")
    tab1.select_option("#topic_id", label="其他")
    tab1.click("#editor-text [contenteditable]")
    tab1.keyboard.type("正文。")
    tab1.click("#save-btn")
    tab1.wait_for_url(re.compile(r".*/items/\d+/edit\?saved=1$"))
    edit_url = tab1.url.split("?")[0]

    tab2 = v.context.new_page()
    tab2.goto(edit_url)
    tab2.wait_for_selector("#item-form")

    tab1.fill("#author", "标签一作者")
    tab1.click("#save-btn")
    tab1.wait_for_url(re.compile(r".*/edit\?saved=1$"))
    tab1.wait_for_selector("#item-form")
    assert tab1.input_value("#author") == "标签一作者"

    v.expect_status(409)  # the refusal answers 409 on purpose
    tab2.fill("#author", "标签二作者")
    tab2.click("#save-btn")
    tab2.wait_for_selector("#editor-alert:not([hidden])")
    assert "此稿件已在其他窗口或由他人保存，请刷新后再改" in tab2.inner_text("#editor-alert")
    assert tab2.input_value("#author") == "标签二作者" and tab2.url == edit_url  # the text stays on the page
    tab2.close()

    tab1.reload()
    tab1.wait_for_selector("#item-form")
    assert tab1.input_value("#author") == "标签一作者"
