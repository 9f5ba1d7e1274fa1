"""The one writer of notification rows (see content/models/notification.py); the bot delivers them.

Every producer goes through `notification_rows`: it checks the kind is a `NotificationKind` and the data
carries what the kind's text needs, so no row can reach a person as an unreadable code. `notify` and
`notify_users` add the rows to the session (same transaction as the change); the review chain's row
buffer (content/db/rowbuffer.py) inserts the same rows in one statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session

from content.models import Item, Notification
from content.models.notification import NotificationKind, notification_kind


def notification_rows(
    *,
    org_id: int,
    user_ids: Iterable[int],
    kind: NotificationKind | str,
    item: Item | None = None,
    item_id: int | None = None,
    step_id: int | None = None,
    **data: Any,
) -> list[dict[str, Any]]:
    """The column values of one row per distinct user. Raises ValueError for an unknown kind or missing data."""
    kind = notification_kind(kind)
    missing = [name for name in kind.needs if name not in data]
    if missing:
        raise ValueError(f"notification {kind.value} needs {', '.join(missing)}")
    if item is not None:
        item_id, data = item.id, {"title": item.title, **data}
    return [{"org_id": org_id, "user_id": user_id, "kind": kind.value, "item_id": item_id, "step_id": step_id,
             "data": data} for user_id in dict.fromkeys(user_ids)]  # fmt: skip


def notify_users(session: Session, *, org_id: int, user_ids: Iterable[int], kind: NotificationKind | str,
                 item: Item | None = None, item_id: int | None = None, step_id: int | None = None,
                 **data: Any) -> int:
    """Add one pending notification per distinct user; returns how many."""
    rows = notification_rows(org_id=org_id, user_ids=user_ids, kind=kind, item=item, item_id=item_id,
                             step_id=step_id, **data)
    session.add_all([Notification(**row) for row in rows])
    return len(rows)


def notify(session: Session, item: Item, user_ids: Iterable[int], kind: NotificationKind | str, *,
           step_id: int | None = None, **data: Any) -> None:
    """Notifications about an item (its title travels in the data, for the text)."""
    notify_users(session, org_id=item.org_id, user_ids=user_ids, kind=kind, item=item, step_id=step_id, **data)
