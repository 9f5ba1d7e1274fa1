"""Who may decide which gate of an item: role, department scope, oversight and dated deputies."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from content.models import Deputy, Item, Oversight, Revision, Role, User, UserRole
from content.timeutil import utcnow

GATE_ORDER = ["dept_head", "leader", "principal"]


def required_gates(item: Item) -> list[str]:
    return ["dept_head", "leader", "principal"] if item.sensitive else ["dept_head", "leader"]


def _role_holders(session: Session, item: Item, gate: str) -> set[int]:
    query = (
        select(User.id)
        .join(UserRole, col(UserRole.user_id) == col(User.id))
        .where(User.org_id == item.org_id, col(User.active).is_(True), UserRole.role == gate)
    )
    if gate == Role.dept_head:
        query = query.where(User.department_id == item.department_id)
    elif gate == Role.leader:
        query = query.join(Oversight, col(Oversight.user_id) == col(User.id)).where(
            Oversight.department_id == item.department_id
        )
    return set(session.exec(query).all())


def _cache(session: Session) -> dict:
    """Per-transaction memo (cleared when the transaction ends): roles do not change mid-decision."""
    return session.info.setdefault("gate_holders", {})


@event.listens_for(OrmSession, "after_transaction_end")
def _clear_cache(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop("gate_holders", None)


def gate_holders(session: Session, item: Item, gate: str) -> set[int]:
    """Holders of the gate's role for the item's department, plus whoever deputises for them now."""
    key = (item.org_id, item.department_id, gate)
    cache = _cache(session)
    if key not in cache:
        cache[key] = _holders_now(session, item, gate)
    return set(cache[key])


def _holders_now(session: Session, item: Item, gate: str) -> set[int]:
    holders = _role_holders(session, item, gate)
    if not holders:
        return holders
    now = utcnow()
    deputies = session.exec(
        select(Deputy.deputy_id)
        .join(User, col(User.id) == col(Deputy.deputy_id))
        .where(col(Deputy.user_id).in_(holders), Deputy.starts_at <= now, Deputy.ends_at > now,
               col(User.active).is_(True))
    ).all()
    return holders | set(deputies)


def gate_assignees(session: Session, *, item: Item, gate: str) -> list[User]:
    """People who may decide this gate for this item (authors excluded)."""
    ids = gate_holders(session, item, gate) - authors_of(session, item)
    if not ids:
        return []
    return list(session.exec(select(User).where(col(User.id).in_(ids)).order_by(User.id)).all())


def authors_of(session: Session, item: Item) -> set[int]:
    """The drafter and everyone who wrote a revision: none of them may approve the item."""
    editors = session.exec(select(Revision.created_by).where(Revision.item_id == item.id).distinct()).all()
    return {item.drafter_id, *editors}
