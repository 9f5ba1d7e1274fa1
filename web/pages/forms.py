"""Turn the editor form into store input, and store errors into inline field errors."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from content.labels import CHANNEL_LABELS, channel_label
from content.models import Category, Item, Taxonomy
from content.models.item_channel import ChannelKind, ChannelTarget
from content.timeutil import SHANGHAI, local

# The org-wide channels; each active WeCom group robot adds `wecom_group:<id>` (see channel_choices).
CHANNEL_CHOICES = [(kind.value, CHANNEL_LABELS[kind]) for kind in ChannelKind if kind != ChannelKind.wecom_group]
# Store/check error codes → the form field they belong to (when the error names no field).
FIELD_OF_CODE = {"title_required": "title", "title_too_long": "title", "digest_too_long": "digest",
                 "unknown_topic": "topic_id", "unknown_area": "area_id", "unknown_channel": "channels",
                 "invalid_date": "publish_at", "naive_datetime": "publish_at", "source_required": "source_url"}
FIELD_ALIASES = {"topic": "topic_id", "area": "area_id"}


def categories(session: Session, org_id: int, taxonomy: Taxonomy) -> list[Category]:
    return list(session.exec(select(Category).where(Category.org_id == org_id, Category.taxonomy == taxonomy,
                                                    Category.active == True)  # noqa: E712
                             .order_by(Category.sort, Category.id)).all())


def channel_choices(session: Session, org_id: int, current: list[str]) -> list[tuple[str, str]]:
    """Every channel the org has: portal, official account, 公开栏 and each active WeCom group robot.

    Channels the item already has but the list does not offer (a robot deleted since, a channel set
    through the API) are offered too, so saving in the web editor never drops them silently: the
    drafter sees them ticked and may untick them.
    """
    from channels.wecom_group.robots import list_robots
    from content.robot_groups import robot_names

    choices = list(CHANNEL_CHOICES)
    for robot in list_robots(session, org_id=org_id):
        entry = str(ChannelTarget(ChannelKind.wecom_group, robot.id))
        choices.append((entry, channel_label(entry, robot.name)))
    offered = {code for code, _ in choices}
    extra = [c for c in current if c not in offered]
    if extra:
        names = robot_names(session, org_id=org_id)
        for code in extra:
            parsed = ChannelTarget.try_parse(code)
            name = names.get(parsed.target_id) if parsed and parsed.target_id is not None else None
            label = channel_label(code, f"{name}，已删除" if name else None)
            choices.append((code, label))
    return choices


def values_from_item(item: Item | None) -> dict[str, Any]:
    """What the editor form shows for an item (or defaults for a new one)."""
    if item is None:
        return {"title": "", "digest": "", "author": "", "body_html": "", "topic_id": "", "area_id": "",
                "channels": ["portal"], "origin": "original", "source_url": "", "sensitive": False,
                "disclosure_type": "proactive", "publish_mode": "now", "publish_at": "",
                "cover_image": None, "attachments": [], "base_revision": ""}
    return {
        "title": item.title, "digest": item.digest, "author": item.author, "body_html": item.body_html,
        "topic_id": str(item.topic_id or ""), "area_id": str(item.area_id or ""),
        "channels": list(item.channels or []), "origin": item.origin, "source_url": item.source_url or "",
        "sensitive": item.sensitive, "disclosure_type": item.disclosure_type,
        "publish_mode": "later" if item.publish_at else "now",
        "publish_at": local(item.publish_at).strftime("%Y-%m-%dT%H:%M") if item.publish_at else "",
        "cover_image": item.cover_image, "attachments": list(item.attachments or []),
        "base_revision": str(item.current_revision_id or ""),  # the version this form was loaded with
    }  # fmt: skip


def parse_editor_form(form) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """(values to show again, data for the store, field errors found before the store sees it)."""
    text = lambda name: str(form.get(name) or "").strip()  # noqa: E731
    values = {
        "title": text("title"), "digest": text("digest"), "author": text("author"),
        "body_html": str(form.get("body_html") or ""), "topic_id": text("topic_id"), "area_id": text("area_id"),
        "channels": [str(c) for c in form.getlist("channels")], "origin": text("origin") or "original",
        "source_url": text("source_url"), "sensitive": form.get("sensitive") in ("1", "on", "true"),
        "disclosure_type": text("disclosure_type") or "proactive",
        "publish_mode": text("publish_mode") or "now", "publish_at": text("publish_at"),
        "base_revision": text("base_revision"),
    }  # fmt: skip
    errors: dict[str, str] = {}
    data: dict[str, Any] = {
        "title": values["title"], "digest": values["digest"], "author": values["author"],
        "body_html": values["body_html"], "channels": values["channels"], "origin": values["origin"],
        "source_url": values["source_url"] or None, "disclosure_type": values["disclosure_type"],
    }  # fmt: skip
    for name in ("topic_id", "area_id"):
        raw = values[name]
        if raw and not raw.isdigit():
            errors[name] = "请从列表中选择"
        data[name] = int(raw) if raw.isdigit() else None
    if not values["title"]:
        errors["title"] = "标题不能为空"
    if values["origin"] == "repost" and values["source_url"] and not values["source_url"].startswith(
            ("http://", "https://")):
        errors["source_url"] = "来源链接须以 http:// 或 https:// 开头"
    data["publish_at"] = None
    if values["publish_mode"] == "later":
        try:
            data["publish_at"] = datetime.strptime(values["publish_at"], "%Y-%m-%dT%H:%M").replace(tzinfo=SHANGHAI)
        except ValueError:
            errors["publish_at"] = "请填写定时发布的日期和时间"
    if values["sensitive"]:
        data["sensitive"] = True
    _parse_media(form, values, data, errors)
    return values, data, errors


def _parse_media(form, values: dict[str, Any], data: dict[str, Any], errors: dict[str, str]) -> None:
    """The hidden `cover_image` and `attachments` (JSON list) fields written by static/js/media.js.

    Only when the form carries them, so a form without the media section never clears them; the store
    checks that every file URL names an uploaded file of the org (`content.files.refs`)."""
    if "cover_image" in form:
        values["cover_image"] = data["cover_image"] = str(form.get("cover_image") or "").strip() or None
    if "attachments" in form:
        raw = str(form.get("attachments") or "").strip() or "[]"
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        if not isinstance(parsed, list):
            errors["attachments"] = "附件列表格式错误，请刷新页面后重试"
            parsed = []
        values["attachments"] = data["attachments"] = parsed


def field_of(exc) -> str:
    """The form field a DomainError belongs to ('' for a page-level message)."""
    name = (exc.data or {}).get("field") or FIELD_OF_CODE.get(exc.code, "")
    return FIELD_ALIASES.get(name, name)
