"""The schema itself: migrations reach head, the audit log refuses updates and deletes."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from app.migrate import is_at_head
from content.models import AuditEvent, Category, Taxonomy


def test_migrated_and_seeded(engine, world):
    assert is_at_head(engine)
    with Session(engine) as s:
        topics = s.exec(select(Category).where(Category.taxonomy == Taxonomy.topic)).all()
        areas = s.exec(select(Category).where(Category.taxonomy == Taxonomy.area)).all()
    assert len(topics) == 5 and len(areas) == 26


@pytest.mark.parametrize("statement", ["UPDATE auditevent SET action = 'x'", "DELETE FROM auditevent"])
def test_audit_log_is_append_only(engine, world, statement):
    with Session(engine) as s:
        before = len(s.exec(select(AuditEvent)).all())
    assert before > 0
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    with Session(engine) as s:
        rows = s.exec(select(AuditEvent)).all()
    assert len(rows) == before and all(r.action != "x" for r in rows)
