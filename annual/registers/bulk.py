"""Importing an existing register (CSV/XLSX with Chinese or English headers). All rows or none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session

from annual.registers.applications import create_application
from annual.registers.store import create_appeal, create_interaction
from content.errors import DomainError, Invalid
from content.importer import read_rows

HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "applications": {
        "number": ("申请编号", "编号"), "channel": ("申请渠道", "渠道"), "submitted_on": ("提交日期",),
        "received_on": ("收到申请日期", "收到日期"), "applicant_type": ("申请人类型",), "applicant_name": ("申请人",),
        "request": ("申请内容",), "correction_asked_on": ("补正告知日期",), "correction_received_on": ("收到补正日期",),
        "extension_days": ("延期工作日数", "延期天数"), "consultation_days": ("征求意见工作日数",),
        "replied_on": ("答复日期",), "result": ("办理结果", "办理结果代码"), "note": ("备注",),
    },
    "interactions": {"kind": ("类型",), "title": ("标题",), "starts_on": ("开始日期",), "ends_on": ("结束日期",),
                     "participants": ("参与人次",), "suggestions": ("意见建议条数", "意见建议")},
    "appeals": {"kind": ("类型",), "case_no": ("案号",), "filed_on": ("立案日期",), "outcome": ("结果",),
                "decided_on": ("审结日期",), "note": ("备注",)},
}  # fmt: skip
CREATORS = {"applications": create_application, "interactions": create_interaction, "appeals": create_appeal}


def _columns(kind: str, header: list[Any]) -> dict[str, int]:
    names = [str(h or "").strip() for h in header]
    out = {}
    for field, aliases in HEADERS[kind].items():
        for alias in (field, *aliases):
            if alias in names:
                out[field] = names.index(alias)
                break
    return out


def import_register(session: Session, *, org_id: int, kind: str, path: Path) -> int:
    """Create every row through the register's own store function; raise `Invalid` listing bad rows."""
    if kind not in CREATORS:
        raise Invalid("unknown_register", f"未知的台账：{kind}（可选：{'、'.join(CREATORS)}）")
    rows = read_rows(path)
    if not rows:
        raise Invalid("empty_file", "文件为空")
    cols = _columns(kind, rows[0])
    bad, count = [], 0
    for number, row in enumerate(rows[1:], start=2):
        if not any(str(v or "").strip() for v in row):
            continue
        data = {f: row[i] for f, i in cols.items() if i < len(row) and row[i] not in (None, "")}
        try:
            with session.begin_nested():
                CREATORS[kind](session, org_id=org_id, actor=None, data=data)
            count += 1
        except DomainError as exc:
            bad.append({"row": number, "reason": exc.message})
    if bad:
        raise Invalid("import_rows_invalid", f"{len(bad)} 行有错误，未导入任何数据", rows=bad)
    return count
