"""Who may look at which item: the one visibility rule of the web UI, the JSON API and the bot.

Viewing: admins, leaders and the principal see every item of their org; drafters and department
heads see their own department's items; the drafter always sees their own; anyone who may act on
an item (a deputy, an assigned reviewer) sees it too. A drafter or department head without a
department sees only what they drafted (never "no department filter = everything").

An item the viewer may not see answers exactly like a missing one (404 `item_not_found`), so a
refusal never tells whether an item exists or what state it is in. Lists use `list_scope` /
`visible_clause`, which are the SQL form of the same rule (minus the "may act on it" part, which
`workflow.pending_reviews` lists).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, true
from sqlmodel import Session, col

from content.accounts import roles_of
from content.errors import NotFound
from content.models import Item, User
from content.models.ids import pk
from content.review import chain as workflow
from content.store import get_item

WIDE_ROLES = {"admin", "leader", "principal"}


def _roles(session: Session, user: User, roles: set[str] | None) -> set[str]:
    return roles if roles is not None else roles_of(session, pk(user))


def sees_whole_org(roles: set[str]) -> bool:
    return bool(roles & WIDE_ROLES)


def can_view(session: Session, user: User, item: Item, roles: set[str] | None = None) -> bool:
    if item.org_id != user.org_id or not user.active:
        return False
    if sees_whole_org(_roles(session, user, roles)) or item.drafter_id == user.id:
        return True
    if user.department_id is not None and user.department_id == item.department_id:
        return True
    return bool(workflow.available_actions(session, item, user))


def list_scope(user: User, roles: set[str]) -> dict[str, Any]:
    """Keyword arguments that narrow `store.list_items` to what this viewer may see ({}: the whole org)."""
    if sees_whole_org(roles):
        return {}
    if user.department_id is not None:
        return {"department_id": user.department_id}
    return {"drafter_id": user.id}


def visible_clause(user: User, roles: set[str]) -> ColumnElement[bool]:
    """The same rule as a SQL condition over `Item` columns (the org is the caller's filter)."""
    if not user.active:
        return false()
    if sees_whole_org(roles):
        return true()
    own = col(Item.drafter_id) == user.id
    if user.department_id is None:
        return own
    return or_(own, col(Item.department_id) == user.department_id)


def visible_department(user: User, roles: set[str]) -> int | None:
    """Deprecated: use `list_scope`. Kept for callers that only narrow by department."""
    return None if sees_whole_org(roles) else user.department_id


def hidden(item_id: int) -> NotFound:
    """The answer for an item the viewer may not see: the same as for one that does not exist."""
    return NotFound("item_not_found", f"稿件 {item_id} 不存在")


def item_for_viewer(session: Session, user: User, item_id: int, roles: set[str] | None = None) -> Item:
    item = get_item(session, org_id=user.org_id, item_id=item_id)
    if not can_view(session, user, item, roles):
        raise hidden(item_id)
    return item
