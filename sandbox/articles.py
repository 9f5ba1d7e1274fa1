"""Article pages of the emulated official account: what a reader opening the article link would see.

WeChat answers a finished publication with `https://mp.weixin.qq.com/s/…`; the emulator cannot serve that
address, so its articles live at `<emulator>/s/<article id>` (`?idx=N` for the N-th article of a
multi-article draft) and mass sends at `<emulator>/s/mass-<msg_id>`. The page shows the stored article —
title, author, digest, the HTML body exactly as `draft/add` received it — with the `mmbiz.qpic.cn` image
addresses the emulator handed out resolved to its own `/img/<name>`. A deleted article answers 404 with
WeChat's own wording. The page loads nothing but the emulator's images (Content-Security-Policy).
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import HTMLResponse

if TYPE_CHECKING:
    from sandbox.state import EmulatorState

IMAGE_HOST = "http://mmbiz.qpic.cn/sandbox/"
MASS_PREFIX = "mass-"
CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
_IMAGE_URL = re.compile(re.escape(IMAGE_HOST) + r"([\w.-]+)")


def image_url(name: str) -> str:
    """The address `media/uploadimg` and `material/add_material` answer with for a stored image."""
    return IMAGE_HOST + name


def article_url(base: str, article_id: str, idx: int = 1) -> str:
    """Where the emulator serves an article (`base`: the emulator's own URL)."""
    return f"{base}/s/{article_id}" + (f"?idx={idx}" if idx > 1 else "")


def mass_url(base: str, msg_id: str) -> str:
    return f"{base}/s/{MASS_PREFIX}{msg_id}"


def _find(state: EmulatorState, key: str, idx: int) -> tuple[dict | None, bool]:
    """(the stored article of `key`, deleted?); (None, False) when there is no such article."""
    with state.lock:
        if key.startswith(MASS_PREFIX):
            job = state.mass_jobs.get(key[len(MASS_PREFIX):])
            media_id, deleted = (job["media_id"], job["deleted"]) if job else (None, False)
        else:
            article = state.articles.get(key)
            media_id, deleted = (article["media_id"], article["deleted"]) if article else (None, False)
        articles = state.drafts.get(media_id or "", [])
        return (articles[idx - 1] if 0 < idx <= len(articles) else None), deleted


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>body{{margin:0;background:#f7f7f7;color:#222;"
            "font-family:sans-serif}main{max-width:677px;margin:0 auto;background:#fff;padding:20px 16px 40px}"
            "h1{font-size:22px;line-height:1.4}.meta{color:#576b95;font-size:15px}.digest{color:#888}"
            ".sandbox{background:#fff4e5;color:#8a5300;font-size:13px;padding:6px 10px}"
            "img{max-width:100%;height:auto}table{border-collapse:collapse;max-width:100%}"
            "td,th{border:1px solid #999;padding:4px}</style></head><body>"
            '<p class="sandbox">演示环境：模拟的微信公众号文章页面</p>'
            f"<main>{body}</main></body></html>")  # fmt: skip
    return HTMLResponse(html, status_code=status, headers={"Content-Security-Policy": CSP})


def render_article(base: str, article: dict) -> str:
    """The article's page body; image addresses of the emulator point at its `/img/` route."""
    content = _IMAGE_URL.sub(lambda m: f"{base}/img/{m.group(1)}", article.get("content") or "")
    author = f'<p class="meta">{escape(article.get("author") or "")}</p>' if article.get("author") else ""
    digest = f'<p class="digest">{escape(article["digest"])}</p>' if article.get("digest") else ""
    return (f'<h1 id="activity-name">{escape(article.get("title") or "")}</h1>{author}{digest}'
            f'<div id="js_content">{content}</div>')


def article_page(state: EmulatorState):
    """The Starlette endpoint for `/s/{key}`."""

    async def page(request: Request) -> HTMLResponse:
        key = request.path_params["key"]
        idx_text = request.query_params.get("idx", "1")
        idx = int(idx_text) if idx_text.isdigit() else 0
        article, deleted = _find(state, key, idx)
        if article is None:
            return _page("链接已过期", "<p>该链接已过期或文章不存在。</p>", status=404)
        if deleted:
            return _page("内容已删除", "<p>该内容已被发布者删除。</p>", status=404)
        base = str(request.base_url).rstrip("/")
        return _page(article.get("title") or "", render_article(base, article))

    return page
