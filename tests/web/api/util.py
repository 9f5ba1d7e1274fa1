"""Helpers for the API tests: a valid item body and a snapshot of everything a request could change."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from content import accounts
from content.models import (
    AuditEvent,
    Item,
    Notification,
    Publication,
    Review,
    ReviewStep,
    Revision,
    User,
)

COUNTED = (Item, Revision, Review, ReviewStep, Publication, AuditEvent, Notification)


def item_body(**overrides) -> dict:
    body = {
        "title": "关于开展冬季安全生产大检查的通知",
        "body_html": "<p>各村（社区）：为做好冬季安全生产工作，现将有关事项通知如下。</p>",
        "digest": "部署冬季安全生产大检查",
        "topic": "科教文体卫生",
        "channels": ["portal", "mp"],
        "publish_at": None,
    }
    body.update(overrides)
    return body


def snapshot(engine: Engine) -> dict:
    """Row counts of every table a request could touch, and every item's mutable columns."""
    with Session(engine) as s:
        counts = {m.__name__: s.exec(select(func.count()).select_from(m)).one() for m in COUNTED}
        # a client's first call signs in (an `auth.token` event): that is the client's doing, not the request's
        counts["AuditEvent"] = s.exec(select(func.count()).select_from(AuditEvent)
                                      .where(AuditEvent.action.not_like("auth.%"))).one()
        items = {
            it.id: (it.state, it.gate, it.version, it.title, it.digest, it.body_html, it.sensitive,
                    it.current_revision_id, it.approved_revision_id, it.rejection_count, it.review_incomplete)
            for it in s.exec(select(Item)).all()
        }  # fmt: skip
        steps = {st.id: (st.decision, st.decided_by) for st in s.exec(select(ReviewStep)).all()}
    return {"counts": counts, "items": items, "steps": steps}


def grant(engine: Engine, user_id: int, roles: str, oversees: list[str] | None = None) -> None:
    """Replace a world user's roles (e.g. make head_a also a leader)."""
    with Session(engine) as s:
        accounts.set_roles(s, user=s.get(User, user_id), roles=roles, oversees=oversees)
        s.commit()


def add_user(engine: Engine, org_id: int, login: str, roles: str, password: str, department: str | None = None,
             oversees: list[str] | None = None) -> int:
    with Session(engine) as s:
        uid = accounts.create_user(s, org_id=org_id, login=login, name=login, password=password, roles=roles,
                                   department=department, oversees=oversees).id
        s.commit()
        return uid


def audit_actions(engine: Engine, item_id: int) -> list[tuple[str, str | None]]:
    """(action, to_state) of every audit event about the item, oldest first."""
    with Session(engine) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.target_type == "item", AuditEvent.target_id == item_id)
                        .order_by(AuditEvent.id)).all()
        return [(e.action, e.data.get("to_state")) for e in events]
