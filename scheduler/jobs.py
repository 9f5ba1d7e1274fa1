"""Every scheduled job, defined in code (APScheduler 3 must never share a job store between processes).

`JOBS` is the registry. Another package adds its job with one line here, pointing at a function
that takes a `JobContext`::

    JobSpec("deadline_reminders", "annual.registers.jobs:remind_deadlines", cron={"hour": 8}),
    JobSpec("annual_report_draft", "annual.report.jobs:draft_report", cron={"month": 1, "day": 1, "hour": 6}),

`func` is a dotted "module:function" resolved when the scheduler starts; a module that is not
installed (yet) disables just that job, with a log line. Interval jobs may take their interval from
the settings (`every=lambda s: s.dispatch_interval_seconds`). Jobs must be safe to run in several
scheduler processes at once: the database rows they touch are the lock.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from channels.base import ChannelRegistry
from content.settings import Settings
from scheduler.outbox import OutboxConfig

log = logging.getLogger("gongkai.scheduler.jobs")


@dataclass
class JobContext:
    engine: Engine
    settings: Settings
    registry: ChannelRegistry
    outbox: OutboxConfig
    instance: str
    lanes: Any = None  # scheduler.dispatch.Lanes of a running scheduler (one lane per channel)


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: str | Callable[[JobContext], Any]  # "module:function" or a callable
    every: float | Callable[[Settings], float] | None = None  # seconds, for interval jobs
    cron: dict[str, Any] | None = None  # APScheduler cron fields, Asia/Shanghai
    run_at_start: bool = True  # interval jobs: first run immediately (catch-up after downtime)
    optional: bool = False  # a missing module disables the job instead of failing the start
    requires: str | None = None  # a module (of another package) the job needs

    def resolve(self) -> Callable[[JobContext], Any] | None:
        try:
            if self.requires:
                importlib.import_module(self.requires)
            if callable(self.func):
                return self.func
            module_name, _, attr = self.func.partition(":")
            return getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError):
            if not self.optional:
                raise
            log.info("job %s disabled: %s is not available", self.id, self.func)
            return None

    def interval(self, settings: Settings) -> float | None:
        return self.every(settings) if callable(self.every) else self.every


def _dispatch_interval(settings: Settings) -> float:
    return settings.dispatch_interval_seconds


def _reconcile_interval(settings: Settings) -> float:
    return max(settings.dispatch_interval_seconds, 5.0)


# ---- the scheduler's own jobs ---------------------------------------------------------------------
def dispatch(ctx: JobContext) -> None:
    from scheduler.dispatch import dispatch_once

    if ctx.lanes is not None:  # a running scheduler: start idle lanes, never wait for a slow channel
        ctx.lanes.kick()
        return
    stats = dispatch_once(ctx.engine, ctx.registry, ctx.outbox)
    if stats.claimed:
        log.info("dispatch: %s", stats.outcomes)


def reconcile(ctx: JobContext) -> None:
    from scheduler import mp_events
    from scheduler import reconcile as rec

    rec.reap_expired(ctx.engine, ctx.outbox)
    rec.reconcile_unknown(ctx.engine, ctx.registry, ctx.outbox)
    mp_events.apply_publish_events(ctx.engine, ctx.outbox)
    rec.confirm_sent(ctx.engine, ctx.registry, ctx.outbox)


def withdraw(ctx: JobContext) -> None:
    from scheduler.withdraw import process_withdrawals

    process_withdrawals(ctx.engine, ctx.registry, ctx.outbox)


def heartbeat(ctx: JobContext) -> None:
    from scheduler.heartbeat import beat

    beat(ctx.engine, ctx.instance, interval=ctx.settings.dispatch_interval_seconds,
         info="、".join(ctx.registry.names()))  # fmt: skip


def call_with_context(func: Callable, ctx: JobContext) -> Any:
    """Call a function from another package with the arguments it names (engine, settings, …)."""
    names = inspect.signature(func).parameters
    available = {"ctx": ctx, "engine": ctx.engine, "settings": ctx.settings}
    if len(names) == 1 and next(iter(names)) not in available:
        return func(ctx)
    return func(**{n: available[n] for n in names if n in available})


def deliver_notifications(ctx: JobContext) -> None:
    """The scheduler's round of deliveries; beside `gongkai run`'s delivery process it only wakes that."""
    from bot.delivery_worker import handed_off
    from bot.notify import deliver_pending

    if not handed_off(ctx.settings):
        call_with_context(deliver_pending, ctx)


def review_reminders(ctx: JobContext) -> None:
    from bot.reminders import remind_overdue

    call_with_context(remind_overdue, ctx)


JOBS: list[JobSpec] = [
    JobSpec("heartbeat", heartbeat, every=_dispatch_interval),
    JobSpec("dispatch", dispatch, every=_dispatch_interval),
    JobSpec("reconcile", reconcile, every=_reconcile_interval),
    JobSpec("withdraw", withdraw, every=_dispatch_interval),
    JobSpec(
        "notifications", deliver_notifications, every=_dispatch_interval, optional=True, requires="bot.notify"
    ),
    JobSpec("review_reminders", review_reminders, every=3600.0, optional=True, requires="bot.reminders"),
    JobSpec("deadline_reminders", "annual.jobs:remind_deadlines", every=3600.0, optional=True),
    JobSpec("annual_report_draft", "annual.jobs:draft_report", cron={"month": 1, "day": 1, "hour": 6},
            optional=True),
]
