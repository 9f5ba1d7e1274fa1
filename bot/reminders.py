"""Daily reminders for reviews pending too long, escalated to the admins from the second reminder.

`remind_overdue(engine, settings, now=None)` is called by the scheduler (e.g. hourly); each step is
reminded at most once a day. It only writes Notification rows (kinds review.reminder and
review.escalated) and audit events; `deliver_pending` sends them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from content import audit
from content.models import Item, ReviewStep, User, UserRole
from content.models.notification import NotificationKind
from content.notify import notify
from content.review.reviewers import gate_assignees
from content.timeutil import utcnow

if TYPE_CHECKING:
    from content.settings import Settings

REMIND_EVERY = timedelta(days=1)
ESCALATE_FROM = 2  # the admins are told from the second reminder on


def remind_overdue(engine: Engine, settings: Settings, now: datetime | None = None) -> int:
    now = now or utcnow()
    hours = settings.review_reminder_hours
    opened_before = now - timedelta(hours=hours)
    reminded = 0
    with Session(engine, expire_on_commit=False) as session:
        rows = session.exec(
            select(ReviewStep, Item).join(Item, Item.id == ReviewStep.item_id).where(
                ReviewStep.decision == "pending", Item.state == "in_review", Item.gate == ReviewStep.gate,
                col(ReviewStep.opened_at).is_not(None), ReviewStep.opened_at <= opened_before,
                or_(col(ReviewStep.reminded_at).is_(None), ReviewStep.reminded_at <= now - REMIND_EVERY))
        ).all()
        for step, item in rows:
            step.reminders += 1
            step.reminded_at = now
            session.add(step)
            waited = int((now - step.opened_at).total_seconds() // 3600)
            assignees = gate_assignees(session, item=item, gate=step.gate)
            notify(session, item, [u.id for u in assignees], NotificationKind.REVIEW_REMINDER, step_id=step.id, gate=step.gate,
                   hours=waited, reminders=step.reminders)
            if step.reminders >= ESCALATE_FROM:
                admins = session.exec(select(User.id).join(UserRole, UserRole.user_id == User.id).where(
                    User.org_id == item.org_id, UserRole.role == "admin", col(User.active).is_(True))).all()
                notify(session, item, admins, NotificationKind.REVIEW_ESCALATED, step_id=step.id, gate=step.gate, hours=waited,
                       reminders=step.reminders, who="、".join(u.name for u in assignees) or "（无）")
            audit.record(session, org_id=item.org_id, action="review.reminded", target_type="item",
                         target_id=item.id, actor_label="system", gate=step.gate, reminders=step.reminders)
            reminded += 1
        session.commit()
    return reminded
