"""两馆 delivery: a ZIP of every published item of a period, for the city archives and library.

Layout of the ZIP: `index.xlsx` (one row per item), and per item `items/<id>/index.html` (a complete
page), with its cover image and attachments beside it when they are stored locally (a path under
`media_root` or a data: URI); remote ones stay as links and are listed in the index.
"""

from __future__ import annotations

import base64
import re
import zipfile
from collections.abc import Callable
from datetime import datetime
from html import escape
from io import BytesIO
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from content import audit
from content.disclosed import BODY_WITHHELD_STATES, disclosed_between
from content.files.backends import FileBackend
from content.files.store import read_verified, sha_of_url
from content.models import STATE_LABELS, Category, Item
from content.outbox import entry_label, group_names, live_channels
from content.text_clean import xml_text
from content.timeutil import SHANGHAI, fmt_local

INDEX_HEADER = ["序号", "编号", "标题", "发布时间", "门户栏目", "目录领域", "发布渠道", "来源", "原文链接", "文件夹", "附件数",
                "状态"]


def append_as_text(ws, values: list) -> None:
    """One index row; every text cell is stored as a string, never as a formula (`=HYPERLINK(…)` titles)."""
    ws.append([xml_text(v) if isinstance(v, str) else v for v in values])  # no control characters in XLSX
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def period_bounds(year: int, month: int | None) -> tuple[datetime, datetime]:
    if month is None:
        return datetime(year, 1, 1, tzinfo=SHANGHAI), datetime(year + 1, 1, 1, tzinfo=SHANGHAI)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=SHANGHAI)
    return datetime(year, month, 1, tzinfo=SHANGHAI), end


def _safe_name(name: str, fallback: str) -> str:
    name = re.sub(r"[\\/:*?\"<>|\x00-\x1f]", "_", Path(name or "").name).strip(". ")
    return name[:120] or fallback


def _file_bytes(ref: str | None, media_root: Path | None, files: FileBackend | None = None) -> bytes | None:
    if not ref:
        return None
    sha = sha_of_url(ref)
    if sha and files is not None:  # our file store: the verified bytes (an altered file stops the export)
        return read_verified(files, sha)
    m = re.match(r"data:[\w/+.-]+;base64,(.*)", ref, re.S)
    if m:
        try:
            return base64.b64decode(m.group(1), validate=False)
        except ValueError:
            return None
    if media_root is None or "://" in ref:
        return None
    candidate = (media_root / ref.lstrip("/")).resolve()
    if media_root.resolve() in candidate.parents and candidate.is_file():
        return candidate.read_bytes()
    return None


def _page(item: Item, names: dict[int, str], files: list[str], *, withheld: bool = False) -> str:
    links = "".join(f'<li><a href="{escape(f)}">{escape(f)}</a></li>' for f in files)
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(item.title)}</title></head>'
            f"<body><h1>{escape(item.title)}</h1><p>发布时间：{fmt_local(item.published_at)}　"
            f"栏目：{escape(names.get(item.topic_id or 0, ''))}　来源：{'转载' if item.origin == 'repost' else '原创'}"
            f"{'　原文：' + escape(item.source_url) if item.source_url else ''}</p>"
            f"<div>{'（已撤稿，正文不移交）' if withheld else item.body_html or ''}</div>{'<h2>附件</h2><ul>' + links + '</ul>' if files else ''}</body></html>")


def export_zip(session: Session, *, org_id: int, year: int, month: int | None, out: Path,
               media_root: Path | None = None, tick: Callable[[], None] | None = None,
               files: FileBackend | None = None) -> int:
    """Write the ZIP; returns the number of items. Rows are streamed, not loaded at once."""
    from openpyxl import Workbook

    start, end = period_bounds(year, month)
    names = {c.id: c.name for c in session.exec(select(Category).where(Category.org_id == org_id))}
    in_period = (Item.org_id == org_id, *disclosed_between(start, end))
    query = select(Item).where(*in_period).order_by(Item.published_at, Item.id)
    # where each item went live (a withdrawn one too: it was disclosed there), in one query
    live = live_channels(session, select(Item.id).where(*in_period), since_withdrawn=True)
    groups = group_names(session, org_id)
    wb = Workbook()
    ws = wb.active
    ws.title = "索引"
    append_as_text(ws, INDEX_HEADER)
    count = 0
    tmp = out.with_name(out.name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in session.exec(query.execution_options(yield_per=500)):
            count += 1
            folder = f"items/{item.id}"
            withheld = item.state in BODY_WITHHELD_STATES
            files = [] if withheld else _write_files(zf, folder, item, media_root, files)
            zf.writestr(f"{folder}/index.html", _page(item, names, files, withheld=withheld))
            append_as_text(ws, [count, item.id, item.title, fmt_local(item.published_at), names.get(item.topic_id or 0, ""),
                       names.get(item.area_id or 0, ""),
                       "、".join(entry_label(entry, groups) for entry in live.get(item.id, [])),
                       "转载" if item.origin == "repost" else "原创", item.source_url or "", folder, len(files),
                                STATE_LABELS.get(item.state, item.state)])
            if tick:
                tick()
        buf = BytesIO()
        wb.save(buf)
        zf.writestr("index.xlsx", buf.getvalue())
    tmp.replace(out)
    audit.record(session, org_id=org_id, action="export.archive", target_type="organization", target_id=org_id,
                 period=f"{year}" + (f"-{month:02d}" if month else ""), items=count)
    return count


def _write_files(zf: zipfile.ZipFile, folder: str, item: Item, media_root: Path | None,
                 store: FileBackend | None = None) -> list[str]:
    written: list[str] = []
    refs: list[tuple[str | None, str]] = [(item.cover_image, "cover")]
    for n, att in enumerate(item.attachments or [], start=1):
        entry: dict[str, Any] = att if isinstance(att, dict) else {"path": str(att)}
        refs.append((entry.get("path") or entry.get("url") or entry.get("data"), entry.get("name") or f"附件{n}"))
    for ref, name in refs:
        data = _file_bytes(ref, media_root, store)
        if data is None:
            continue
        mime = re.match(r"data:\w+/([\w+.-]+);", str(ref))
        suffix = "." + mime.group(1).split("+")[0] if mime else Path(str(ref)).suffix[:8]
        filename = _safe_name(name if "." in name else name + suffix, f"file{len(written) + 1}")
        if filename in written:
            filename = f"{len(written) + 1}-{filename}"
        zf.writestr(f"{folder}/{filename}", data)
        written.append(filename)
    return written
