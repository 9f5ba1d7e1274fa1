"""People see Chinese: every audit action the code writes, every channel kind and the WeChat error codes
have a label in content.labels, and the item page's operation log shows them (both databases)."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from sqlmodel import Session

from content import audit, store
from content.labels import (
    AUDIT_ACTION_LABELS,
    CHANNEL_LABELS,
    WECHAT_ERRORS,
    channel_label,
    explain_error,
    wechat_error_text,
)
from content.models import User
from content.review.rules import TRANSITIONS
from tests.web.pages.conftest import client_for, web_app  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "annual", "bot", "channels", "content", "sandbox", "scheduler", "web")
WRITERS = {"record", "_audit", "record_audit", "audit"}  # audit.record, workflow._audit, rowbuffer's


def _module_constants(tree: ast.Module) -> dict[str, str]:
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    out[t.id] = node.value.value
    return out


def written_audit_actions() -> dict[str, str]:
    """Every action string passed to an audit writer anywhere in the product code → where."""
    transition_actions = {action for (_, _, action) in TRANSITIONS}
    found: dict[str, str] = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py") if (ROOT / pkg).is_dir() else ():
            tree = ast.parse(path.read_text(encoding="utf-8"))
            consts = _module_constants(tree)
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name not in WRITERS:
                    continue
                for kw in node.keywords:
                    if kw.arg != "action":
                        continue
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    v = kw.value
                    if isinstance(v, ast.Constant) and isinstance(v.value, str):
                        found[v.value] = where
                    elif isinstance(v, ast.Name) and v.id in consts:
                        found[consts[v.id]] = where
                    elif isinstance(v, ast.JoinedStr) and ast.unparse(v) == "f'item.{action}'":
                        found.update({f"item.{a}": where for a in transition_actions})
                    elif isinstance(v, ast.Name) and v.id == "action":
                        pass  # a pass-through parameter (audit.record itself, or a caller's argument)
                    else:
                        pytest.fail(f"{where}: audit action {ast.unparse(v)} cannot be enumerated; "
                                    "write it as a literal or teach this test")
    return found


def test_every_audit_action_the_code_writes_has_a_chinese_label():
    actions = written_audit_actions()
    assert {"item.submit", "item.approve", "item.publish", "publication.failed", "bot.bind"} <= set(actions)
    missing = {a: where for a, where in actions.items() if a not in AUDIT_ACTION_LABELS}
    assert not missing, f"audit actions without a label in content/labels.py: {missing}"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in AUDIT_ACTION_LABELS.values())


def _adapter_classes():
    """Every channel adapter class (a class with a `name` and a `send` method) in the channel packages."""
    for pkg_name in ("channels", "channels"):
        try:
            pkg = importlib.import_module(pkg_name)
        except ModuleNotFoundError:
            continue
        for info in pkgutil.walk_packages(pkg.__path__, pkg_name + "."):
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == module.__name__ and isinstance(getattr(cls, "name", None), str) \
                        and callable(getattr(cls, "send", None)):
                    yield cls


def test_every_channel_kind_has_one_label_used_everywhere():
    classes = list(_adapter_classes())
    kinds = {cls.name for cls in classes}
    assert {"portal", "mp", "wecom_group", "board"} <= kinds
    assert not kinds - set(CHANNEL_LABELS), f"channel kinds without a label: {kinds - set(CHANNEL_LABELS)}"
    for cls in classes:
        assert cls.label == CHANNEL_LABELS[cls.name], f"{cls.__name__}.label disagrees with content.labels"
    # the lobby screen, the publications filter and the editor read the same table
    from annual.channel_figures import CHANNEL_NAMES
    from web.pages.forms import CHANNEL_CHOICES
    from web.pages.publications_pages import CHANNEL_CHOICES as PUB_CHOICES

    assert CHANNEL_NAMES["wecom_group"] == PUB_CHOICES["wecom_group"] == channel_label("wecom_group") == "企业微信群"
    assert all(label == CHANNEL_LABELS[kind] for kind, label in CHANNEL_CHOICES)
    assert channel_label("wecom_group:7") == "企业微信群（7）"
    assert channel_label("wecom_group:7", "和平村网格群") == "企业微信群（和平村网格群）"


@pytest.mark.parametrize("code", [40001, 40014, 42001, 45009, 48001, 40007, 53503, 53505, 61004])
def test_wechat_codes_gongkai_meets_are_explained_in_chinese(code):
    assert code in WECHAT_ERRORS
    text = wechat_error_text(code)
    assert text.startswith(WECHAT_ERRORS[code]) and f"代码 {code}" in text


def test_unknown_wechat_code_and_stored_english_errors():
    assert wechat_error_text(99999) == "微信接口错误（代码 99999）"
    assert wechat_error_text("garbage") == "微信接口错误（代码 garbage）"
    stored = "公众号发布失败：40007 invalid media_id hint: [Xa1] rid: 6612"
    shown = explain_error(stored)
    assert "invalid" not in shown and "素材（media_id）无效" in shown and shown.startswith("公众号发布失败：")
    assert explain_error("48001 api unauthorized") == wechat_error_text(48001)
    # a Chinese message that already names its code in brackets is left alone
    assert explain_error("公众号接口调用已达今日上限（45009），稍后重试") == "公众号接口调用已达今日上限（45009），稍后重试"
    assert explain_error(None) == ""


def test_operation_log_shows_chinese_actions_and_actor_names(client_for, engine, world):  # noqa: F811
    with Session(engine) as s:
        drafter = s.get(User, world.drafter)
        item = store.create_item(s, actor=drafter, data={"title": "日志稿件", "body_html": "<p>正文</p>",
                                                         "topic": "其他", "channels": ["portal"]})
        audit.record(s, org_id=item.org_id, action="item.void", target_type="item", target_id=item.id,
                     reason="内容变更")
        s.commit()
        item_id = item.id
    page = client_for("drafter").page(f"/items/{item_id}").text
    log = page[page.index("操作日志"):]
    log = log[:log.index("</details>")]
    assert "新建稿件" in log and "内容变更，退回重新审核" in log
    assert "item.create" not in log and "item.void" not in log
    assert "<td>drafter</td>" in log and "<td>系统</td>" in log and "system" not in log


def test_header_names_each_role_once(client_for, engine, world):  # noqa: F811
    from content.labels import name_with_roles

    assert name_with_roles("张伟", ["拟稿人"]) == "张伟（拟稿人）"
    assert name_with_roles("政务公开专员", ["政务公开专员"]) == "政务公开专员"
    with Session(engine) as s:
        s.get(User, world.admin).name = "周敏（政务公开专员）"  # as the demo names its admin
        s.commit()
    page = client_for("admin").page("/").text
    assert '<span class="who">周敏（政务公开专员）</span>' in page
    assert "<span class=\"who\">drafter（拟稿人）</span>" in client_for("drafter").page("/").text
