"""The robot rate limit (20 messages a minute per robot), counted in the database.

The database is shared by every scheduler process, so the window is counted from `robot_send`
rows. A send takes a slot (inserts its row and commits) *before* the HTTP call; a full window
answers how long to wait, and the caller queues the post until then (never drops it).
On PostgreSQL the robot row is locked while the window is counted, so two processes cannot both
take the 20th slot; within one process the caller serializes with a lock per robot.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from content.db.db import is_postgres
from content.models.channel_targets import RobotGroup, RobotSend

LIMIT = 20
WINDOW = timedelta(seconds=60)
MARGIN = timedelta(seconds=1)  # wait a little past the window's end: clocks of two hosts differ


def take_slot(session: Session, robot: RobotGroup, *, now: datetime, publication_id: int | None) -> float | None:
    """Record a send at `now` and return None, or return the seconds to wait for a free slot."""
    if is_postgres(session):
        session.exec(select(RobotGroup.id).where(RobotGroup.id == robot.id).with_for_update()).first()
    since = now - WINDOW
    in_window = select(RobotSend.sent_at).where(RobotSend.robot_id == robot.id, RobotSend.sent_at > since)
    count = session.exec(select(func.count()).select_from(in_window.subquery())).one()
    if count >= LIMIT:
        # The slot frees when the oldest send that keeps the window full leaves it.
        times = session.exec(in_window.order_by(col(RobotSend.sent_at).desc()).limit(LIMIT)).all()
        frees_at = min(times) + WINDOW + MARGIN
        return max(1.0, (frees_at - now).total_seconds())
    session.add(RobotSend(org_id=robot.org_id, robot_id=robot.id, publication_id=publication_id, sent_at=now))
    session.flush()
    return None


def sends_in_window(session: Session, *, robot_id: int, now: datetime) -> int:
    query = select(func.count()).where(RobotSend.robot_id == robot_id, RobotSend.sent_at > now - WINDOW)
    return session.exec(query).one()
