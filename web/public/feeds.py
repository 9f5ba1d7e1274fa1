"""Atom 1.0, RSS 2.0 and JSON Feed 1.1 documents of published items (standard library only)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.etree.ElementTree import Element, SubElement, tostring

from content.html import text_of
from content.text_clean import xml_text

ATOM_NS = "http://www.w3.org/2005/Atom"


@dataclass
class FeedEntry:
    id: str  # stable tag URI
    title: str
    link: str
    summary: str
    content_html: str
    published: datetime
    updated: datetime
    author: str
    category: str | None


@dataclass
class Feed:
    title: str
    home: str  # the organisation's public home (its screen page)
    self_url: str
    id: str
    updated: datetime
    entries: list[FeedEntry]


def summary_of(digest: str, body_html: str, limit: int = 200) -> str:
    text = (digest or "").strip() or text_of(body_html).replace("\n", " ")
    return text[:limit] + ("…" if len(text) > limit else "")


def _text(parent: Element, tag: str, value: str, **attrs: str) -> Element:
    el = SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    el.text = xml_text(value)  # rows stored before input cleaning may hold characters XML cannot
    return el


def atom(feed: Feed) -> bytes:
    root = Element("feed", {"xmlns": ATOM_NS, "xml:lang": "zh-CN"})
    _text(root, "title", feed.title)
    _text(root, "id", feed.id)
    _text(root, "updated", feed.updated.isoformat())
    SubElement(root, "link", {"rel": "alternate", "href": feed.home})
    SubElement(root, "link", {"rel": "self", "href": feed.self_url, "type": "application/atom+xml"})
    _text(root, "generator", "gongkai")
    for e in feed.entries:
        entry = SubElement(root, "entry")
        _text(entry, "title", e.title)
        _text(entry, "id", e.id)
        SubElement(entry, "link", {"rel": "alternate", "href": e.link})
        _text(entry, "published", e.published.isoformat())
        _text(entry, "updated", e.updated.isoformat())
        author = SubElement(entry, "author")
        _text(author, "name", e.author)
        if e.category:
            SubElement(entry, "category", {"term": xml_text(e.category)})
        _text(entry, "summary", e.summary)
        _text(entry, "content", e.content_html, type="html")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(root, encoding="unicode").encode()


def rss(feed: Feed) -> bytes:
    root = Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS})
    channel = SubElement(root, "channel")
    _text(channel, "title", feed.title)
    _text(channel, "link", feed.home)
    _text(channel, "description", f"{feed.title}：已发布的政务公开信息")
    _text(channel, "language", "zh-CN")
    _text(channel, "lastBuildDate", format_datetime(feed.updated))
    SubElement(channel, "atom:link", {"href": feed.self_url, "rel": "self", "type": "application/rss+xml"})
    for e in feed.entries:
        item = SubElement(channel, "item")
        _text(item, "title", e.title)
        _text(item, "link", e.link)
        _text(item, "guid", e.id, isPermaLink="false")
        _text(item, "pubDate", format_datetime(e.published))
        if e.category:
            _text(item, "category", e.category)
        _text(item, "description", e.content_html or e.summary)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(root, encoding="unicode").encode()


def json_feed(feed: Feed) -> bytes:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.home,
        "feed_url": feed.self_url,
        "language": "zh-CN",
        "items": [
            {
                "id": e.id, "url": e.link, "title": e.title, "summary": e.summary, "content_html": e.content_html,
                "date_published": e.published.isoformat(), "date_modified": e.updated.isoformat(),
                "authors": [{"name": e.author}], **({"tags": [e.category]} if e.category else {}),
            }
            for e in feed.entries
        ],
    }  # fmt: skip
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()


FORMATS = {
    "atom": (atom, "application/atom+xml; charset=utf-8"),
    "rss": (rss, "application/rss+xml; charset=utf-8"),
    "json": (json_feed, "application/feed+json; charset=utf-8"),
}
