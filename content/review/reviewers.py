"""Who may decide which gate of an item: role, department scope, oversight and dated deputies.

- 供稿部门负责人 (dept_head): an active user with that role in the item's department;
- 分管领导 (leader): an active user with that role who oversees the item's department;
- 镇主要领导 (principal): an active user with that role in the organization;
- and, for each of them, whoever deputises for them now (an active user of the organization).
The query behind it lives in content/db/holder_rows.py.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from content.db.holder_rows import holders_by_gate, revision_authors
from content.models import Item, User
from content.review.rules import GATE_ORDER, required_gates

__all__ = ["GATE_ORDER", "authors_of", "gate_assignee_ids", "gate_assignees", "gate_holders", "required_gates"]


def gate_holders(session: Session, item: Item, gate: str) -> set[int]:
    """Holders of the gate's role for the item's department, plus whoever deputises for them now."""
    return set(holders_by_gate(session, item.org_id, item.department_id).get(gate, ()))


def gate_assignees(session: Session, *, item: Item, gate: str) -> list[User]:
    """People who may decide this gate for this item (authors excluded)."""
    ids = gate_holders(session, item, gate) - authors_of(session, item)
    if not ids:
        return []
    return list(session.exec(select(User).where(col(User.id).in_(ids)).order_by(col(User.id))).all())


def gate_assignee_ids(session: Session, item: Item, gate: str, authors: set[int]) -> list[int]:
    """The ids `gate_assignees` would return, without loading the users (holders are active users)."""
    return sorted(gate_holders(session, item, gate) - authors)


def authors_of(session: Session, item: Item) -> set[int]:
    """The drafter and everyone who wrote a revision: none of them may approve the item."""
    return {item.drafter_id, *revision_authors(session, item.id or 0)}
