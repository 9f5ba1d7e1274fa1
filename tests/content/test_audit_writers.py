"""One writer of audit rows, always scrubbed: every path masks a secret-looking value, at any depth."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from sqlmodel import Session, select

from content import audit
from content.db.rowbuffer import action_rows, record_audit
from content.models import AuditEvent

ROOT = Path(__file__).resolve().parents[2]
SECRET = "wx-secret-7f3a9c"


def _secrets() -> dict:
    return {"password": SECRET, "new_token": SECRET, "settings": {"corp_secret": SECRET, "name": "党政办"},
            "changes": [{"aes_key": SECRET}], "note": "普通说明"}  # fmt: skip


def test_every_path_scrubs_secrets(engine, world):
    with Session(engine) as s:
        audit.record(s, org_id=world.org_id, action="test.orm", target_type="org", target_id=world.org_id,
                     **_secrets())
        with action_rows(s):  # the review chain's buffered rows
            record_audit(s, org_id=world.org_id, action="test.buffer", target_type="org", target_id=None,
                         **_secrets())
        audit.record_many(s, [audit.audit_row(org_id=world.org_id, action="test.batch", target_type="org",
                                              target_id=None, **_secrets())])
        raw = audit.audit_row(org_id=world.org_id, action="test.raw", target_type="org", target_id=None)
        audit.record_many(s, [{**raw, "data": _secrets()}])  # a caller that built its own data dict
        s.commit()
        events = {e.action: e for e in s.exec(select(AuditEvent).where(AuditEvent.action.like("test.%"))).all()}
    assert set(events) == {"test.orm", "test.buffer", "test.batch", "test.raw"}
    for action, event in events.items():
        dumped = json.dumps(event.data, ensure_ascii=False)
        assert SECRET not in dumped, action
        assert event.data["settings"]["name"] == "党政办" and event.data["note"] == "普通说明", action
        assert event.data["password"] == audit.MASK and event.data["changes"] == [{"aes_key": audit.MASK}]


def test_no_other_module_writes_audit_rows():
    """Only content/audit.py builds AuditEvent rows or inserts into its table."""
    offenders = []
    skip = {".venv", "tests", "migrations", "benchmarks"}
    for path in ROOT.rglob("*.py"):
        if skip & set(path.relative_to(ROOT).parts) or path.relative_to(ROOT).as_posix() == "content/audit.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            names = {getattr(a, "id", None) for a in node.args}
            if name == "AuditEvent" or (name == "insert" and "AuditEvent" in names):
                offenders.append(path.relative_to(ROOT).as_posix())
    assert offenders == []
