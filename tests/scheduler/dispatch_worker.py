"""A scheduler process for the multi-process test: `python -m tests.scheduler.dispatch_worker URL PORTAL GO`.

Waits for the GO file (so every worker starts together), then dispatches until nothing is due.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from channels.base import ChannelRegistry
from channels.portal import PortalChannel
from content.db.db import make_engine
from scheduler.dispatch import dispatch_once
from scheduler.outbox import OutboxConfig


def main(db_url: str, portal_url: str, go: str) -> None:
    engine = make_engine(db_url)
    registry = ChannelRegistry([PortalChannel(portal_url, "portal-token", timeout=10, backoff=0.01)])
    cfg = OutboxConfig(worker_id=f"proc-{os.getpid()}", batch_size=25, concurrency=4, retry_base_seconds=0)
    while not Path(go).exists():
        time.sleep(0.01)
    idle = 0
    while idle < 3:
        idle = idle + 1 if dispatch_once(engine, registry, cfg).claimed == 0 else 0
    registry.close()
    engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:4])
