"""The scheduler's job list, built here (the composition root) and handed to `scheduler.service`.

Every job is a function imported plainly: a renamed or missing module or function is an ImportError
naming it when the scheduler starts (`gongkai scheduler`, `gongkai run`), never a job that silently
stops running — the statutory deadline reminders included.
"""

from __future__ import annotations

from annual.jobs import draft_report, remind_deadlines
from bot.delivery_worker import handed_off
from bot.notify import deliver_pending
from bot.reminders import remind_overdue
from scheduler.jobs import SCHEDULER_JOBS, JobContext, JobSpec, call_with_context, dispatch_interval


def deliver_notifications(ctx: JobContext) -> None:
    """The scheduler's round of deliveries; beside `gongkai run`'s delivery process it only wakes that."""
    if not handed_off(ctx.settings):
        call_with_context(deliver_pending, ctx)


def review_reminders(ctx: JobContext) -> None:
    call_with_context(remind_overdue, ctx)


def all_jobs() -> list[JobSpec]:
    """The scheduler's own jobs, the bot's deliveries and reminders, and the statutory year's jobs."""
    return [
        *SCHEDULER_JOBS,
        JobSpec("notifications", deliver_notifications, every=dispatch_interval),
        JobSpec("review_reminders", review_reminders, every=3600.0),
        JobSpec("deadline_reminders", remind_deadlines, every=3600.0),
        JobSpec("annual_report_draft", draft_report, cron={"month": 1, "day": 1, "hour": 6}),
    ]
