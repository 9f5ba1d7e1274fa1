"""Issue 21 walk, finding 3: Back after the first save of a new item never returns to a blank /items/new
form, so a second 保存草稿 cannot make a second item with an empty body."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_back_after_saving_a_new_item_does_not_return_to_the_blank_form(visitors):
    v = visitors("drafter")
    page = v.page
    v.goto("/", "start")
    v.goto("/items/new", "new")
    page.fill("#title", "关于返回键的测试通知")
    page.select_option("#topic_id", label="其他")
    page.click("#editor-text [contenteditable]")
    page.keyboard.type("正文。")
    page.wait_for_function("() => document.querySelector('#body_html').value.includes('正文')")
    page.click("#save-btn")
    page.wait_for_url(re.compile(r".*/items/\d+/edit\?saved=1$"))
    saved_url = page.url
    page.go_back()
    page.wait_for_load_state("load")
    v.shot("after-back")
    assert "/items/new" not in page.url, page.url  # the history entry of the blank form was replaced
    page.go_forward()
    page.wait_for_load_state("load")
    assert page.url == saved_url
