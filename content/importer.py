"""Historical import: items published before gongkai, from CSV or XLSX. All rows or none.

Each row becomes a published `Item` (`imported=True`) with its first `Revision` and one confirmed
`Publication` per channel, so the tallies count it like any other post.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from content import audit
from content.errors import Invalid
from content.models import Category, Department, Item, Publication, Revision, User, UserRole
from content.models.ids import pk
from content.store import content_hash, content_of
from content.text_clean import clean_text
from content.timeutil import SHANGHAI, local_today
from content.urls import is_web_url

COLUMNS = {
    "date": ("发布日期", "日期", "发布时间", "date"),
    "channel": ("渠道", "发布渠道", "channel"),
    "topic": ("栏目", "主题分类", "门户栏目", "topic"),
    "area": ("目录领域", "领域", "公开目录", "area"),
    "origin": ("来源", "原创/转载", "origin"),
    "title": ("标题", "title"),
    "url": ("链接", "网址", "原文链接", "url"),
}
CHANNEL_WORDS = {"portal": "portal", "门户": "portal", "门户网站": "portal", "政府门户网站": "portal", "网站": "portal",
                 "mp": "mp", "公众号": "mp", "微信公众号": "mp", "政务微信公众号": "mp"}  # fmt: skip
ORIGIN_WORDS = {"": "original", "原创": "original", "original": "original", "转载": "repost", "repost": "repost"}
EARLIEST = date(2000, 1, 1)
MAX_ROWS = 100_000


def read_rows(path: Path) -> list[list[Any]]:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's file problem
            raise Invalid("bad_file", f"无法读取 Excel 文件：{type(exc).__name__}") from exc
        rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        wb.close()
        return rows
    if suffix == ".csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return [row for row in csv.reader(io.StringIO(raw.decode(encoding)))]
            except UnicodeDecodeError:
                continue
        raise Invalid("bad_encoding", "CSV 文件编码无法识别（请用 UTF-8 或 GBK）")
    raise Invalid("bad_file_type", f"只支持 .csv 和 .xlsx 文件：{path.name}")


def _header_map(header: list[Any]) -> dict[str, int]:
    names = [str(h or "").strip().lower() for h in header]
    out = {}
    for key, aliases in COLUMNS.items():
        for alias in aliases:
            if alias.lower() in names:
                out[key] = names.index(alias.lower())
                break
    missing = [COLUMNS[k][0] for k in ("date", "channel", "title") if k not in out]
    if missing:
        raise Invalid("missing_columns", f"表头缺少列：{'、'.join(missing)}（第一行应为表头）")
    return out


def _parse_when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(12, 0))
    text = str(value or "").strip().replace("/", "-").replace("年", "-").replace("月", "-").replace("日", "")
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return parsed if pattern != "%Y-%m-%d" else parsed.replace(hour=12)
    return None


def _parse_row(row: list[Any], cols: dict[str, int], cats: dict[tuple[str, str], int | None]
               ) -> tuple[dict, list[str]]:
    def cell(key: str) -> str:
        i = cols.get(key)
        return "" if i is None or i >= len(row) or row[i] is None else row[i]

    problems: list[str] = []
    when = _parse_when(cell("date"))
    if when is None:
        problems.append(f"日期无法识别：{cell('date')!s}")
    elif not EARLIEST <= when.date() <= local_today():
        problems.append(f"日期超出合理范围（{EARLIEST}–今天）：{when.date()}")
    channels: list[str] = []
    for word in str(cell("channel")).replace("，", ",").replace("、", ",").replace(";", ",").replace("/", ",").split(","):
        word = word.strip()
        channel = CHANNEL_WORDS.get(word) or CHANNEL_WORDS.get(word.lower())
        if word and channel is None:
            problems.append(f"未知渠道：{word}")
        elif channel is not None:
            channels.append(channel)
    if not channels:
        problems.append("缺少渠道（门户网站 / 微信公众号）")
    title = clean_text(str(cell("title")), single_line=True).strip()
    if not title:
        problems.append("缺少标题")
    elif len(title) > 200:
        problems.append("标题超过 200 字")
    ids = {}
    for key, taxonomy, label in (("topic", "topic", "栏目"), ("area", "area", "目录领域")):
        name = str(cell(key)).strip()
        if name and (taxonomy, name) not in cats:
            problems.append(f"未知{label}：{name}")
        ids[key] = cats.get((taxonomy, name)) if name else None
    origin = str(cell("origin")).strip().lower()
    if origin not in ORIGIN_WORDS:
        problems.append(f"来源应为 原创 或 转载：{cell('origin')}")
    url = clean_text(str(cell("url")), single_line=True).strip()
    if url and not is_web_url(url):  # the one link rule (content.urls): no javascript:, quotes or spaces
        problems.append(f"链接应为以 http:// 或 https:// 开头的网址：{url[:200]}")
    data = {"title": title, "when": when, "channels": sorted(set(channels)), "topic_id": ids.get("topic"),
            "area_id": ids.get("area"), "origin": ORIGIN_WORDS.get(origin, "original"), "url": url or None}
    return data, problems


def _drafter(session: Session, org_id: int, login: str | None) -> User:
    query = select(User).where(col(User.org_id) == org_id, col(User.active).is_(True))
    if login:
        user = session.exec(query.where(User.login == login)).first()
        if user is None:
            raise Invalid("unknown_user", f"用户不存在：{login}")
        return user
    admin = session.exec(query.join(UserRole, col(UserRole.user_id) == col(User.id)).where(col(UserRole.role) == "admin")
                         .order_by(col(User.id))).first()
    user = admin or session.exec(query.order_by(col(User.id))).first()
    if user is None:
        raise Invalid("no_user", "机构内没有可用的用户，请先运行 gongkai init")
    return user


def _department(session: Session, org_id: int, name: str | None) -> Department:
    query = select(Department).where(Department.org_id == org_id)
    dept = session.exec(query.where(col(Department.name) == name) if name else query.order_by(col(Department.id))).first()
    if dept is None:
        raise Invalid("unknown_department", f"部门不存在：{name}" if name else "机构内还没有部门，请先创建部门")
    return dept


def import_rows(session: Session, *, org_id: int, rows: list[list[Any]], department: str | None = None,
                login: str | None = None, tick: Callable[[], None] | None = None) -> int:
    """Validate every row, then write all of them; raises `Invalid` (data.rows) listing every bad row."""
    if not rows or not any(rows[0]):
        raise Invalid("empty_file", "文件为空")
    if len(rows) - 1 > MAX_ROWS:
        raise Invalid("too_many_rows", f"一次最多导入 {MAX_ROWS} 行")
    cols = _header_map(rows[0])
    cats = {(c.taxonomy, c.name): c.id for c in session.exec(select(Category).where(Category.org_id == org_id))}
    existing = set(session.exec(select(Item.title, Item.published_at).where(Item.org_id == org_id,
                                                                            col(Item.imported).is_(True))).all())
    parsed, bad, seen = [], [], set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(str(v or "").strip() for v in row):
            continue
        data, problems = _parse_row(row, cols, cats)
        if data["when"] is not None and not problems:
            data["published_at"] = data["when"].replace(tzinfo=SHANGHAI) if data["when"].tzinfo is None else data["when"]
            key = (data["title"], data["published_at"])
            if key in seen or key in existing:
                problems.append("重复：同一标题和发布日期已导入")
            seen.add(key)
        if problems:
            bad.append({"row": number, "reason": "；".join(problems)})
        parsed.append(data)
    if bad:
        raise Invalid("import_rows_invalid", f"{len(bad)} 行有错误，未导入任何数据", rows=bad)
    if not parsed:
        raise Invalid("empty_file", "文件中没有数据行")
    drafter, dept = _drafter(session, org_id, login), _department(session, org_id, department)
    for data in parsed:
        _write_item(session, org_id=org_id, drafter=drafter, department=dept, data=data)
        if tick:
            tick()
    audit.record(session, org_id=org_id, action="item.import", target_type="item", target_id=None, actor=drafter,
                 count=len(parsed), department=dept.name)
    return len(parsed)


def _write_item(session: Session, *, org_id: int, drafter: User, department: Department, data: dict) -> Item:
    when = data["published_at"]
    item = Item(org_id=org_id, department_id=pk(department), drafter_id=pk(drafter), title=data["title"],
                topic_id=data["topic_id"], area_id=data["area_id"], channels=data["channels"], origin=data["origin"],
                source_url=data["url"], state="published", imported=True, published_at=when, publish_at=when,
                approved_at=when, submitted_at=when, created_at=when, updated_at=when)
    session.add(item)
    session.flush()
    content = content_of(item)
    revision = Revision(org_id=org_id, item_id=pk(item), number=1, created_by=pk(drafter), content=content,
                        content_hash=content_hash(content), created_at=when)
    session.add(revision)
    session.flush()
    item.current_revision_id = item.approved_revision_id = revision.id
    for channel in data["channels"]:
        session.add(Publication(org_id=org_id, item_id=pk(item), revision_id=pk(revision),
                                content_hash=revision.content_hash, channel=channel, state="confirmed",
                                due_at=when, sent_at=when, confirmed_at=when, remote_url=data["url"],
                                idempotency_key=f"import:{item.id}:{channel}", created_at=when, updated_at=when))
    return item


def import_file(session: Session, *, org_id: int, path: Path, department: str | None = None,
                login: str | None = None, tick: Callable[[], None] | None = None) -> int:
    return import_rows(session, org_id=org_id, rows=read_rows(path), department=department, login=login, tick=tick)
