"""What changed between two revision snapshots, in the terms a reviewer reads.

Pure functions over two `Revision.content` dicts: no session, no HTTP. The body is compared as the
rendered article: split into top-level blocks (paragraphs, headings, tables, figures), blocks
aligned, and inside a changed block the text compared token by token (one token per Chinese
character, one per Latin word) with `<ins>`/`<del>` wrapped around text runs only — tags are copied
from the (already sanitised) revision HTML in order, so each side stays the article's own structure.
Every body fragment returned is passed through `content.html.sanitize` once more, so no text of an
article can become markup here. Metadata and files become labelled Chinese lines, never reprs.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from content.html import sanitize
from content.labels import channel_label as default_channel_label
from content.timeutil import fmt_local

BlockKind = Literal["same", "changed", "added", "removed"]

LABELS = {
    "title": "标题", "digest": "摘要", "author": "作者", "body_html": "正文", "cover_image": "封面图",
    "attachments": "附件", "topic_id": "门户栏目", "area_id": "公开目录领域", "channels": "发布渠道",
    "origin": "来源", "source_url": "转载来源", "disclosure_type": "公开方式", "publish_at": "发布时间",
    "has_full_text": "全文公开",
}  # fmt: skip
ORIGIN = {"original": "原创", "repost": "转载"}
DISCLOSURE = {"proactive": "主动公开", "on_application": "依申请公开"}


@dataclass(frozen=True)
class FieldChange:
    """One labelled line: "附件：新增 通知.pdf", "标题：旧 → 新". `old_src`/`new_src`: image thumbnails."""

    field: str
    label: str
    text: str
    old_src: str | None = None
    new_src: str | None = None


@dataclass(frozen=True)
class BodyBlock:
    """One block of the article on both sides; `old_html`/`new_html` are sanitised, marked HTML."""

    kind: BlockKind
    old_html: str
    new_html: str


@dataclass(frozen=True)
class ReviewDiff:
    first: bool  # no previous revision: the reviewer reads the whole article
    changes: list[FieldChange] = field(default_factory=list)
    body: list[BodyBlock] = field(default_factory=list)  # empty when the body did not change

    @property
    def body_changed(self) -> bool:
        return any(b.kind != "same" for b in self.body)

    @property
    def unchanged(self) -> bool:
        return not self.first and not self.changes and not self.body_changed


# ---------------------------------------------------------------------------- the body

_TOKEN = re.compile(r"<!--.*?-->|<[^>]*>|&#?\w+;|[A-Za-z0-9_.%'-]+|\s+|.", re.S)
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9]+)")
_VOID = {"img", "br", "hr", "wbr", "col", "area", "input", "source"}
_MEDIA = {"img"}


def _tokens(html: str) -> list[str]:
    return _TOKEN.findall(html or "")


def _is_tag(token: str) -> bool:
    return token.startswith("<")


def _tag_name(token: str) -> str:
    """The lower-case element name of a tag token ('' when there is none, e.g. '<!doctype>')."""
    match = _TAG_NAME.match(token)
    return (match[1] or "").lower() if match else ""


def blocks_of(html: str) -> list[str]:
    """Top-level blocks of an article: each element at depth 0 (with its children) or a run of loose text."""
    out: list[str] = []
    current: list[str] = []
    depth = 0
    for token in _tokens(html):
        if _is_tag(token) and not token.startswith("<!--"):
            name = _tag_name(token)
            closing, self_closing = token.startswith("</"), token.endswith("/>") or name in _VOID
            if depth == 0 and current and not closing and "".join(current).strip():
                out.append("".join(current))
                current = []
            current.append(token)
            if closing:
                depth = max(depth - 1, 0)
            elif not self_closing:
                depth += 1
            if depth == 0 and "".join(current).strip():
                out.append("".join(current))
                current = []
        else:
            current.append(token)
    if "".join(current).strip():
        out.append("".join(current))
    return [b.strip() for b in out]


def _mark(tokens: list[str], changed: set[int] | None, wrap: str) -> str:
    """The tokens in order, each run of changed text (None: all of it) wrapped in <wrap>; changed images
    wrapped too. Tags are never wrapped, so the article's structure is kept."""
    parts: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            text = "".join(run)
            parts.append(f"<{wrap}>{text}</{wrap}>" if text.strip() else text)
            run.clear()

    for i, token in enumerate(tokens):
        hit = changed is None or i in changed
        if hit and not _is_tag(token):
            run.append(token)
            continue
        flush()
        name = _tag_name(token) if _is_tag(token) else ""
        if hit and name in _MEDIA:
            parts.append(f'<{wrap} class="media">{token}</{wrap}>')
        else:
            parts.append(token)
    flush()
    return "".join(parts)


_SRC = re.compile(r"""\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def _key(token: str) -> str:
    """What a token is compared by: an image by its source only (a resized or re-described copy of the
    same picture is the same picture), everything else as written."""
    if _is_tag(token) and _tag_name(token) in _MEDIA and not token.startswith("</"):
        match = _SRC.search(token)
        if match:
            return "img:" + next(g for g in match.groups() if g is not None)
    return token


def _inline(old: str, new: str) -> tuple[str, str]:
    a, b = _tokens(old), _tokens(new)
    gone: set[int] = set()
    added: set[int] = set()
    keys_a, keys_b = [_key(t) for t in a], [_key(t) for t in b]
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_opcodes():
        if op != "equal":
            gone.update(range(i1, i2))
            added.update(range(j1, j2))
    return _mark(a, gone, "del"), _mark(b, added, "ins")


def _similar(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, _tokens(a), _tokens(b), autojunk=False).ratio() >= 0.4


def body_blocks(old_html: str, new_html: str) -> list[BodyBlock]:
    """Both articles block by block, changes marked; sanitised output only."""
    a, b = blocks_of(old_html), blocks_of(new_html)
    out: list[BodyBlock] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.extend(BodyBlock("same", sanitize(x), sanitize(x)) for x in b[j1:j2])
            continue
        olds, news = a[i1:i2], b[j1:j2]
        # As many blocks replaced as replacing them: each one was edited in place (one row per changed
        # paragraph), however much its text changed.
        paired = len(olds) == len(news)
        while olds or news:
            if olds and news and (paired or _similar(olds[0], news[0])):
                marked_old, marked_new = _inline(olds.pop(0), news.pop(0))
                out.append(BodyBlock("changed", sanitize(marked_old), sanitize(marked_new)))
            elif olds and (not news or len(olds) >= len(news)):
                out.append(BodyBlock("removed", sanitize(_mark(_tokens(olds[0]), None, "del")), ""))
                olds.pop(0)
            else:
                out.append(BodyBlock("added", "", sanitize(_mark(_tokens(news[0]), None, "ins"))))
                news.pop(0)
    return out


# ---------------------------------------------------------------------------- metadata and files

def _file_key(entry: Any) -> tuple[str, str]:
    """(name, identity) of one attachment, whatever its shape (dict with data/url/hash, or a string)."""
    if isinstance(entry, Mapping):
        name = str(entry.get("name") or entry.get("filename") or "未命名文件")
        ident = next((str(entry[k]) for k in ("sha256", "hash", "content_hash", "url", "data", "id") if entry.get(k)),
                     name)
        return name, ident
    return str(entry).rsplit("/", 1)[-1] or "未命名文件", str(entry)


def file_names(content: Mapping[str, Any]) -> list[str]:
    """The names of a revision's attachments, in order (for the files list of a first submission)."""
    return [_file_key(e)[0] for e in content.get("attachments") or []]


def _attachment_changes(old: list, new: list) -> list[FieldChange]:
    a = dict(_file_key(e) for e in old or [])
    b = dict(_file_key(e) for e in new or [])
    lines = []
    added = [n for n in b if n not in a]
    removed = [n for n in a if n not in b]
    replaced = [n for n in b if n in a and a[n] != b[n]]
    for verb, names in (("新增", added), ("删除", removed), ("更换", replaced)):
        if names:
            lines.append(FieldChange("attachments", LABELS["attachments"], f"{verb} {'、'.join(names)}"))
    if not lines and [n for n in a] != [n for n in b]:
        lines.append(FieldChange("attachments", LABELS["attachments"], "顺序已调整"))
    return lines


def thumbnail_src(value: Any) -> str | None:
    """An image source safe to show as a thumbnail (data:image, http(s) or a site path), else None."""
    if not isinstance(value, str):
        return None
    v = value.strip()
    if v.startswith(("data:image/", "https://", "http://")) or (v.startswith("/") and not v.startswith("//")):
        return v
    return None


def _cover_change(old: Any, new: Any) -> FieldChange:
    text = "已添加" if not old else "已删除" if not new else "已更换"
    return FieldChange("cover_image", LABELS["cover_image"], text, thumbnail_src(old), thumbnail_src(new))


def _channel_change(old: list, new: list, label: Callable[[str], str]) -> FieldChange:
    parts = []
    added = [c for c in new or [] if c not in (old or [])]
    removed = [c for c in old or [] if c not in (new or [])]
    if added:
        parts.append("新增 " + "、".join(label(c) for c in added))
    if removed:
        parts.append("取消 " + "、".join(label(c) for c in removed))
    return FieldChange("channels", LABELS["channels"], "；".join(parts) or "顺序已调整")


def _shown(name: str, value: Any, categories: Mapping[int, str]) -> str:
    if value in (None, "", []):
        return "（空）" if name != "publish_at" else "立即发布"
    if name in ("topic_id", "area_id"):
        return categories.get(value, "（已删除的分类）")
    if name == "origin":
        return ORIGIN.get(value, str(value))
    if name == "disclosure_type":
        return DISCLOSURE.get(value, str(value))
    if name == "has_full_text":
        return "是" if value else "否"
    if name == "publish_at":
        try:
            return fmt_local(datetime.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    return str(value)


def field_changes(old: Mapping[str, Any], new: Mapping[str, Any], *,
                  categories: Mapping[int, str] | None = None,
                  channel_label: Callable[[str], str] = default_channel_label) -> list[FieldChange]:
    """Every changed publishable field except the body, as labelled Chinese lines."""
    categories = categories or {}
    out: list[FieldChange] = []
    for name, label in LABELS.items():
        a, b = old.get(name), new.get(name)
        if name == "body_html" or a == b or (a in (None, "", []) and b in (None, "", [])):
            continue
        if name == "attachments":
            out.extend(_attachment_changes(a or [], b or []))
        elif name == "cover_image":
            out.append(_cover_change(a, b))
        elif name == "channels":
            out.append(_channel_change(a or [], b or [], channel_label))
        else:
            out.append(FieldChange(name, label, f"{_shown(name, a, categories)} → {_shown(name, b, categories)}"))
    return out


def baseline(revisions: Sequence[Any], current: Any, reviewed_ids: Collection[int]) -> Any | None:
    """The revision `current` is compared with: the newest older revision that was sent for review.

    Draft saves in between were never seen by a reviewer, so they are skipped; None when no older
    revision was ever submitted (a first submission, shown whole as 首次提交). `revisions` are
    Revision-like (id, number).
    """
    older = [r for r in revisions if r.number < current.number and r.id in reviewed_ids]
    return max(older, key=lambda r: r.number, default=None)


def review_diff(old: Mapping[str, Any] | None, new: Mapping[str, Any], *,
                categories: Mapping[int, str] | None = None,
                channel_label: Callable[[str], str] = default_channel_label) -> ReviewDiff:
    """What a reviewer needs to see between the previous snapshot (None: first submission) and `new`."""
    if old is None:
        return ReviewDiff(first=True)
    changes = field_changes(old, new, categories=categories, channel_label=channel_label)
    body: list[BodyBlock] = []
    if (old.get("body_html") or "") != (new.get("body_html") or ""):
        body = body_blocks(old.get("body_html") or "", new.get("body_html") or "")
    return ReviewDiff(first=False, changes=changes, body=body)
