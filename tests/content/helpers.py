"""Small helpers for driving the store and the review chain in tests."""

from __future__ import annotations

from sqlmodel import Session, select

from content import store
from content.models import AuditEvent, Item, User
from content.review import chain as workflow

BODY = "<p>镇政府召开安全生产工作会议，部署下一阶段重点工作。</p>"


def make_item(engine, user_id: int, **overrides) -> int:
    data = {"title": "关于召开安全生产会议的通知", "digest": "会议通知", "body_html": BODY,
            "topic": "其他", "area": "安全生产", "channels": ["portal", "mp"], "publish_at": None}
    data.update(overrides)
    with Session(engine) as s:
        item = store.create_item(s, actor=s.get(User, user_id), data=data)
        s.commit()
        return item.id


def act(engine, user_id: int, item_id: int, action: str, **kwargs) -> Item:
    with Session(engine, expire_on_commit=False) as s:
        item = workflow.apply_action(s, item_id=item_id, actor=s.get(User, user_id), action=action, **kwargs)
        s.commit()
        return item


def load(engine, item_id: int) -> Item:
    with Session(engine, expire_on_commit=False) as s:
        return s.get(Item, item_id)


def audit_actions(engine, item_id: int) -> list[str]:
    with Session(engine) as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.target_type == "item", AuditEvent.target_id == item_id)
                      .order_by(AuditEvent.id)).all()
        return [r.action for r in rows]
