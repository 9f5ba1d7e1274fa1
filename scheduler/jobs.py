"""The scheduled jobs' shape, and the scheduler's own jobs (APScheduler 3 must never share a job store).

The scheduler does not look jobs up: `app` builds the whole list (app/scheduler_jobs.py: these
`SCHEDULER_JOBS` plus the bot's and the statutory year's jobs, imported plainly) and hands it to
`scheduler.service.build`. A job is a function taking a `JobContext`; a spec without one is refused
when it is made, with its name, so a renamed function stops the start instead of a statutory
reminder silently going quiet. Interval jobs may take their interval from the settings
(`every=lambda s: s.dispatch_interval_seconds`). Jobs must be safe to run in several scheduler
processes at once: the database rows they touch are the lock.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from channels.base import ChannelRegistry
from content.settings import Settings
from scheduler.outbox import OutboxConfig

log = logging.getLogger("gongkai.scheduler.jobs")


class JobConfigError(ValueError):
    """A job list the scheduler cannot start with (the message names the job)."""


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
    func: Callable[[JobContext], Any]
    every: float | Callable[[Settings], float] | None = None  # seconds, for interval jobs
    cron: dict[str, Any] | None = None  # APScheduler cron fields, Asia/Shanghai
    run_at_start: bool = True  # interval jobs: first run immediately (catch-up after downtime)

    def __post_init__(self) -> None:
        if not callable(self.func):
            raise JobConfigError(f"调度任务 {self.id} 没有可运行的函数（{self.func!r}），调度器无法启动")
        if (self.every is None) == (self.cron is None):
            raise JobConfigError(f"调度任务 {self.id} 必须且只能设置 every 或 cron 之一")

    def interval(self, settings: Settings) -> float | None:
        return self.every(settings) if callable(self.every) else self.every


def checked(jobs: Iterable[JobSpec]) -> list[JobSpec]:
    """The job list as given, refused (naming the job) if an entry is not a JobSpec or an id repeats."""
    out: list[JobSpec] = []
    for spec in jobs:
        if not isinstance(spec, JobSpec):
            raise JobConfigError(f"调度任务列表中有无效条目：{spec!r}")
        if any(other.id == spec.id for other in out):
            raise JobConfigError(f"调度任务 {spec.id} 重复")
        out.append(spec)
    return out


def dispatch_interval(settings: Settings) -> float:
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


SCHEDULER_JOBS: list[JobSpec] = [
    JobSpec("heartbeat", heartbeat, every=dispatch_interval),
    JobSpec("dispatch", dispatch, every=dispatch_interval),
    JobSpec("reconcile", reconcile, every=_reconcile_interval),
    JobSpec("withdraw", withdraw, every=dispatch_interval),
]
