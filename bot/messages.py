"""How a notification is shown: a WeCom card for review.pending, the kind's own text line for the rest."""

from __future__ import annotations

from content.models import GATE_LABELS, Item, Notification
from content.models.notification import notification_kind


def text_for(note: Notification, item: Item | None) -> str:
    """The kind's own text (content.models.notification.NotificationKind), filled from the row's data."""
    data = dict(note.data or {})
    title = data.get("title") or (item.title if item else "")
    values = {**data, "label": f"#{note.item_id}《{title}》" if note.item_id else f"《{title}》", "id": note.item_id,
              "gate": GATE_LABELS.get(str(data.get("gate", "")), data.get("gate", ""))}
    try:
        return notification_kind(note.kind).text.format(**values)
    except (ValueError, KeyError, IndexError):  # a row written before its kind existed or changed
        return f"稿件 {values['label']} 有新动态。"


def review_card(note: Notification, item: Item, *, preview_url: str, revision_id: int) -> dict:
    """A button_interaction card; button keys carry (action, item, revision) back in the tap event."""
    gate = GATE_LABELS.get(str((note.data or {}).get("gate", "")), "审核")
    return {
        "card_type": "button_interaction",
        "source": {"desc": "政务公开审核"},
        "main_title": {"title": f"待审核：{item.title}"[:36], "desc": gate},
        "sub_title_text": (item.digest or "")[:80],
        "horizontal_content_list": [{"keyname": "稿件编号", "value": f"#{item.id}"},
                                    {"keyname": "预览", "value": "点击查看", "type": 1, "url": preview_url}],
        "card_action": {"type": 1, "url": preview_url},
        "task_id": f"gk-{note.id}",
        "button_list": [
            {"text": "同意", "style": 1, "key": f"gk:approve:{item.id}:{revision_id}"},
            {"text": "驳回", "style": 2, "key": f"gk:reject:{item.id}:{revision_id}"},
        ],
    }


def mp_template_data(text: str, item: Item | None) -> dict:
    return {
        "first": {"value": "政务公开审核通知"},
        "keyword1": {"value": item.title if item else ""},
        "keyword2": {"value": text},
        "remark": {"value": "回复“帮助”查看可用命令。"},
    }
