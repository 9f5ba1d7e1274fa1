"""Admin settings pages and the WeChat binding page, on both databases."""

from __future__ import annotations

from sqlmodel import Session, select

from content.models import AuditEvent, Department, User, UserRole, WordRule
from tests.web.pages.conftest import HTML


def test_settings_are_admin_only(client_for):
    r = client_for("drafter").get("/settings", headers=HTML)
    assert r.status_code == 403 and "政务公开专员" in r.text and "<html" in r.text
    c = client_for("drafter")
    r = c.submit("/settings/department", {"name": "新部门"})
    assert r.status_code == 403


def test_admin_creates_user_with_inline_errors_and_typed_values(client_for, engine):
    admin = client_for("admin")
    assert admin.page("/settings").status_code == 200
    r = admin.submit("/settings/user", {"login": "clerk<1>", "name": "张三", "password": "short",
                                         "department": "党政办", "roles": ["drafter"]})
    assert r.status_code == 422 and "密码至少 8 位" in r.text and 'value="clerk&lt;1&gt;"' in r.text
    r = admin.submit("/settings/user", {"login": "clerk", "name": "张三", "password": "long-enough-1",
                                         "department": "党政办", "roles": ["drafter"]})
    assert r.status_code == 303
    with Session(engine) as s:
        user = s.exec(select(User).where(User.login == "clerk")).one()
        assert s.exec(select(UserRole.role).where(UserRole.user_id == user.id)).all() == ["drafter"]
    r = admin.submit("/settings/roles", {"user_id": str(user.id), "roles": ["dept_head"]})
    assert r.status_code == 303
    with Session(engine) as s:
        assert s.exec(select(UserRole.role).where(UserRole.user_id == user.id)).all() == ["dept_head"]


def test_departments_words_and_deputies(client_for, engine, world):
    admin = client_for("admin")
    admin.page("/settings")
    assert admin.submit("/settings/department", {"name": "社会事务办"}).status_code == 303
    r = admin.submit("/settings/department", {"name": "党政办"})
    assert r.status_code == 409 and "已存在" in r.text
    assert admin.submit("/settings/word", {"word": "维稳", "kind": "sensitive", "severity": "warning",
                                           "flags": "1"}).status_code == 303
    r = admin.submit("/settings/deputy", {"user_id": str(world.head_a), "deputy_id": str(world.head_b),
                                          "starts_at": "2026-01-01", "ends_at": "bad"})
    assert r.status_code == 422 and "起止日期" in r.text
    with Session(engine) as s:
        assert s.exec(select(Department).where(Department.name == "社会事务办")).first() is not None
        rule = s.exec(select(WordRule).where(WordRule.word == "维稳")).one()
        assert rule.flags_sensitive
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "wordrule.create")).first() is not None
    assert admin.submit("/settings/word-delete", {"rule_id": str(rule.id)}).status_code == 303
    with Session(engine) as s:
        assert s.exec(select(WordRule).where(WordRule.word == "维稳")).first() is None


def test_binding_page_offers_a_code_button(client_for):
    r = client_for("leader").page("/me/binding")
    assert r.status_code == 200 and "获取绑定码" in r.text
    assert 'data-token="' not in r.text and "Bearer" not in r.text  # no API token in any page (issue 14)
