"""Telling the disclosure officers (admins) about a channel that needs them, e.g. a revoked robot key."""

from __future__ import annotations

from sqlmodel import Session, select

from content.models import User, UserRole
from content.models.ids import pk
from content.models.notification import NotificationKind
from content.notify import notify_users


def notify_admins(session: Session, *, org_id: int, kind: NotificationKind, item_id: int | None = None, **data) -> int:
    """One pending Notification per active admin (the bot delivers them); returns how many."""
    admins = session.exec(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(User.org_id == org_id, User.active == True, UserRole.role == "admin")  # noqa: E712
    ).all()  # fmt: skip
    return notify_users(session, org_id=org_id, user_ids=[pk(a) for a in admins], kind=kind, item_id=item_id, **data)
