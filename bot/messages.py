"""What each notification kind says: a WeCom card for review.pending, one text line for the rest."""

from __future__ import annotations

from content.models import GATE_LABELS, Item, Notification

TEXTS = {
    "review.pending": "待您审核：{label}（{gate}）。回复“查看 {id}”看详情。",
    "review.reminder": "提醒：{label} 待您审核已超过 {hours} 小时（第 {reminders} 次提醒）。",
    "review.escalated": "督办：{label} 在{gate}环节已超过 {hours} 小时未处理（已提醒 {reminders} 次），待审人：{who}。",
    "item.step_approved": "您的稿件 {label} 已通过{gate}（{by}）。",
    "item.rejected": "您的稿件 {label} 被{by}驳回（第 {rejection_count} 次），理由：{reason}",
    "item.approved": "您的稿件 {label} 已全部审核通过，将按计划发布。",
    "item.voided": "您的稿件 {label} 审核已重新开始：{reason}",
    "item.published": "您的稿件 {label} 已发布。",
    "publication.failed": "您的稿件 {label} 发布到{channel}失败：{error}",
    "application.deadline": "{message}",  # written by annual/jobs.py
    "report.draft": "{message}",
}


def text_for(note: Notification, item: Item | None) -> str:
    data = dict(note.data or {})
    title = data.get("title") or (item.title if item else "")
    values = {
        "label": f"#{note.item_id}《{title}》" if note.item_id else f"《{title}》", "id": note.item_id,
        "gate": GATE_LABELS.get(str(data.get("gate", "")), data.get("gate", "")), "hours": "", "reminders": "",
        "by": "", "reason": "", "rejection_count": "", "channel": "", "error": "", "who": "",
    }  # fmt: skip
    values.update({k: v for k, v in data.items() if k not in ("gate", "title")})
    template = TEXTS.get(note.kind, "稿件 {label} 有新动态（" + note.kind + "）。")
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
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
