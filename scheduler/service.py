"""The APScheduler 3.11 service: `gongkai scheduler` (blocking) or in-process inside `gongkai run`.

The dispatch job starts one lane per channel (`scheduler.dispatch.Lanes`) and returns, so a hung
channel holds up only its own lane. Jobs are the list `app` hands in (app/scheduler_jobs.py), in a memory job store, with `coalesce=True` and
`max_instances=1`; several processes may run the same jobs, because every job claims its database
rows (the database row is the lock). Interval jobs first run at start, so a scheduler that was down
across a due time publishes what it missed right away (and logs it as late).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.engine import Engine

from channels import build_registry
from channels.base import ChannelRegistry
from content.settings import Settings
from content.timeutil import SHANGHAI
from scheduler.dispatch import Lanes
from scheduler.jobs import JobContext, JobSpec, checked
from scheduler.outbox import OutboxConfig

log = logging.getLogger("gongkai.scheduler")
logging.getLogger("apscheduler").setLevel(logging.WARNING)  # "Running job …" every second is noise


def instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class SchedulerHandle:
    scheduler: BaseScheduler
    context: JobContext

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        if self.context.lanes is not None:
            self.context.lanes.stop()
        self.context.registry.close()


def _run(spec: JobSpec, func, ctx: JobContext) -> None:
    try:
        func(ctx)
    except Exception:  # one failing job must never stop the others
        log.exception("job %s failed", spec.id)


def build(
    engine: Engine,
    settings: Settings,
    *,
    jobs: Iterable[JobSpec],
    blocking: bool = False,
    registry: ChannelRegistry | None = None,
    outbox: OutboxConfig | None = None,
) -> SchedulerHandle:
    specs = checked(jobs)  # before anything starts: a bad list is a start-up error naming the job
    instance = instance_name()
    ctx = JobContext(
        engine=engine,
        settings=settings,
        registry=registry if registry is not None else build_registry(settings, engine),
        outbox=outbox
        or OutboxConfig(worker_id=instance, lease_seconds=max(120.0, 4 * settings.dispatch_interval_seconds)),
        instance=instance,
    )
    ctx.lanes = Lanes(engine, ctx.registry, ctx.outbox)  # one dispatch lane per channel
    cls = BlockingScheduler if blocking else BackgroundScheduler
    sched = cls(
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=8)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=SHANGHAI,
    )
    now = datetime.now(SHANGHAI)
    for spec in specs:
        kwargs = {"id": spec.id, "name": spec.id, "args": (spec, spec.func, ctx), "replace_existing": True}
        if spec.cron is not None:
            sched.add_job(_run, "cron", timezone=SHANGHAI, **spec.cron, **kwargs)
        else:
            first = now if spec.run_at_start else None
            sched.add_job(_run, "interval", seconds=spec.interval(settings), next_run_time=first, **kwargs)
    return SchedulerHandle(sched, ctx)


def start_background(engine: Engine, settings: Settings, **kw) -> SchedulerHandle:
    """In-process scheduler (`gongkai run`); call `.stop()` at shutdown."""
    handle = build(engine, settings, **kw)
    handle.scheduler.start()
    log.info(
        "scheduler %s started in-process: %s",
        handle.context.instance,
        [j.id for j in handle.scheduler.get_jobs()],
    )
    return handle


def run_forever(engine: Engine, settings: Settings, *, stop: threading.Event | None = None, **kw) -> None:
    """The standalone scheduler process (`gongkai scheduler`); returns on SIGINT/SIGTERM (or `stop`).

    The jobs run on a background scheduler while the main thread waits for a signal, so a Ctrl+C
    never lands inside a job's database call: the shutdown waits for running jobs to finish.
    """
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    handle = start_background(engine, settings, **kw)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        log.info("scheduler %s stopping", handle.context.instance)
        handle.stop()
