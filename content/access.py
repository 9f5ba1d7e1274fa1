"""Who may look at which item — the web UI and the JSON API alike (actions: content.workflow only).

Viewing: admins, leaders and the principal see every item of their org; drafters and department
heads see their own department's items; the drafter always sees their own; anyone who may act on
an item (a deputy, an assigned reviewer) sees it too. Items of another org do not exist (404).
"""

from __future__ import annotations

from sqlmodel import Session

from content import workflow
from content.errors import Forbidden
from content.models import Item, User
from content.store import get_item

WIDE_ROLES = {"admin", "leader", "principal"}


def can_view(session: Session, user: User, item: Item, roles: set[str]) -> bool:
    if item.org_id != user.org_id:
        return False
    if roles & WIDE_ROLES or item.drafter_id == user.id:
        return True
    if user.department_id is not None and user.department_id == item.department_id:
        return True
    return bool(workflow.available_actions(session, item, user))


def visible_department(user: User, roles: set[str]) -> int | None:
    """The department a list is narrowed to for this viewer (None: the whole org)."""
    return None if roles & WIDE_ROLES else user.department_id


def item_for_viewer(session: Session, user: User, item_id: int, roles: set[str]) -> Item:
    item = get_item(session, org_id=user.org_id, item_id=item_id)
    if not can_view(session, user, item, roles):
        raise Forbidden("item_hidden", "您无权查看此稿件")
    return item
