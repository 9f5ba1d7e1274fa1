"""The messages posted to a WeCom group robot: a news card or a markdown text linking to the item.

Limits from the WeCom robot documentation: news title ≤ 128 bytes, description ≤ 512 bytes,
markdown content ≤ 4096 bytes (UTF-8). Longer texts are cut on a character boundary.
"""

from __future__ import annotations

from content.html import text_of


def _cut(text: str, max_bytes: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[: max_bytes - 3].decode("utf-8", errors="ignore") + "…"


def _md_escape(text: str) -> str:
    return text.replace("[", "【").replace("]", "】").replace("\n", " ")


def summary(content: dict, limit: int = 120) -> str:
    text = (content.get("digest") or "").strip() or text_of(content.get("body_html") or "").replace("\n", " ")
    return text[:limit] + ("…" if len(text) > limit else "")


def news_message(content: dict, *, link: str, issuer: str, picurl: str | None = None) -> dict:
    article = {
        "title": _cut(content.get("title") or "", 128),
        "description": _cut(f"{issuer}｜{summary(content)}" if summary(content) else issuer, 512),
        "url": link,
    }
    if picurl and picurl.startswith(("http://", "https://")):
        article["picurl"] = picurl
    return {"msgtype": "news", "news": {"articles": [article]}}


def markdown_message(content: dict, *, link: str, issuer: str) -> dict:
    lines = [
        f"**【政务公开】{_md_escape(content.get('title') or '')}**",
        f"> 发布单位：<font color=\"comment\">{_md_escape(issuer)}</font>",
    ]
    text = summary(content)
    if text:
        lines.append(f"> {_md_escape(text)}")
    lines.append(f"[点击查看全文]({link})")
    return {"msgtype": "markdown", "markdown": {"content": _cut("\n".join(lines), 4096)}}


def withdrawal_message(title: str, *, reason: str | None) -> dict:
    lines = [f"**【撤回说明】《{_md_escape(title)}》已撤回，请勿再转发。**"]
    if reason:
        lines.append(f"> 原因：{_md_escape(reason)}")
    return {"msgtype": "markdown", "markdown": {"content": _cut("\n".join(lines), 4096)}}
