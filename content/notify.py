"""Recording notifications for the bot to deliver (see content/models/notification.py)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from content.models import Item, Notification


def notify(
    session: Session, item: Item, user_ids: Iterable[int], kind: str, *, step_id: int | None = None, **data
) -> None:
    for user_id in dict.fromkeys(user_ids):
        session.add(Notification(org_id=item.org_id, user_id=user_id, kind=kind, item_id=item.id,
                                 step_id=step_id,
                                 data={"title": item.title, **data}))
