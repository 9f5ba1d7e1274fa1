"""Notification kinds are typed: each has its Chinese text and the data it needs; one writer checks them."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.messages import text_for
from content.models import Item, Notification
from content.models.notification import NotificationKind
from content.notify import notification_rows, notify_users

ROOT = Path(__file__).resolve().parents[2]
FILLED_BY_ROW = {"label", "id"}


@pytest.mark.parametrize("kind", list(NotificationKind), ids=lambda k: k.value)
def test_every_kind_has_chinese_text_naming_only_the_data_it_needs(kind):
    assert kind.text.strip(), f"{kind.value} has no text"
    if kind.text != "{message}":  # annual/jobs.py writes the whole Chinese sentence itself
        assert any("\u4e00" <= ch <= "\u9fff" for ch in kind.text), f"{kind.value}: text is not Chinese"
    fields = {name for _, name, _, _ in string.Formatter().parse(kind.text) if name}
    assert fields <= set(kind.needs) | FILLED_BY_ROW, f"{kind.value}: {fields - set(kind.needs) - FILLED_BY_ROW}"


@pytest.mark.parametrize("kind", list(NotificationKind), ids=lambda k: k.value)
def test_every_kind_renders_its_text_never_its_code(kind):
    data = {name: f"<{name}>" for name in kind.needs}
    [row] = notification_rows(org_id=1, user_ids=[7], kind=kind, item_id=3, **{**data, "title": "防汛通知"})
    text = text_for(Notification(**row), None)
    assert kind.value not in text and "有新动态" not in text
    assert all(f"<{name}>" in text for name in kind.needs if f"{{{name}}}" in kind.text)


def test_the_writer_refuses_an_unknown_kind_and_missing_data():
    with pytest.raises(ValueError):
        notification_rows(org_id=1, user_ids=[1], kind="channel.nobody_knows")
    with pytest.raises(ValueError, match="reason"):
        notification_rows(org_id=1, user_ids=[1], kind=NotificationKind.ITEM_VOIDED)


def test_one_row_per_distinct_user_with_the_item_title(engine, world):
    with Session(engine) as s:
        item = Item(org_id=world.org_id, department_id=world.dept_a, title="关于开展防汛演练的通知",
                    drafter_id=world.drafter)
        s.add(item)
        s.flush()
        written = notify_users(s, org_id=world.org_id, user_ids=[world.admin, world.admin, world.leader],
                               kind=NotificationKind.ITEM_PUBLISHED, item=item)
        s.commit()
        rows = s.exec(select(Notification).order_by(Notification.id)).all()
        assert written == 2 and [r.user_id for r in rows] == [world.admin, world.leader]
        assert text_for(rows[0], item) == f"您的稿件 #{item.id}《关于开展防汛演练的通知》 已发布。"


def _producer_files() -> list[Path]:
    skip = {".venv", "tests", "migrations", "benchmarks"}
    return [p for p in ROOT.rglob("*.py") if not skip & set(p.relative_to(ROOT).parts)]


def test_no_producer_builds_notification_rows_itself():
    """Every row goes through content/notify.py (the review chain's buffer calls its `notification_rows`)."""
    offenders = []
    for path in _producer_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Notification":
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == ["content/notify.py"]


def test_every_kind_string_a_producer_passes_is_a_member():
    known = {k.value for k in NotificationKind}
    for path in _producer_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in ("notify", "notify_users", "notify_admins", "notify_people"):
                continue
            strings = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            strings += [k.value.value for k in node.keywords
                        if k.arg == "kind" and isinstance(k.value, ast.Constant)]  # fmt: skip
            for value in strings:
                assert value in known, f"{path.relative_to(ROOT)}: unknown notification kind {value!r}"
