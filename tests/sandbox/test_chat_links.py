"""The chat simulator makes the bot's links tappable, like WeCom, and never turns text into markup."""

from __future__ import annotations

from sandbox.chat import linkify


def test_preview_paths_and_web_links_become_escaped_anchors():
    reply = "检查提示 1 条，请在预览页查看：/m/preview/abc.DEF-12_x\n详情 https://example.org/a?b=1&c=2。"
    html = linkify(reply)
    assert '<a href="/m/preview/abc.DEF-12_x" target="_blank" rel="noopener">/m/preview/abc.DEF-12_x</a>' in html
    assert '<a href="https://example.org/a?b=1&amp;c=2"' in html and "c=2</a>。" in html
    assert html.startswith("检查提示 1 条")


def test_text_that_looks_like_markup_stays_text():
    html = linkify('<script>x</script> https://a.example/"onmouseover=1')
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="https://a.example/"' in html  # the quote ends the link; nothing leaks into the attribute
