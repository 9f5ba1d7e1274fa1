"""Operations endpoints under a realistic database: /metrics scrape and /readyz latency.

The floor is /healthz on the same app in the same run (routing and middleware, no database), so
the ratio shows what the database reads of a scrape cost. Target: a scrape well under a second
with thousands of publications (Prometheus' default scrape timeout is 10 s).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.demo import init_demo
from app.factory import create_app
from app.migrate import upgrade
from content.db.db import make_engine
from content.models import Item, Publication
from content.seed import seed_org
from content.settings import Settings
from content.timeutil import utcnow


def _fill(engine, publications: int) -> None:
    with Session(engine) as s:
        seed_org(s, code="default", name="示例镇人民政府")
        s.commit()
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-files-") as files_dir:
        os.environ.setdefault("GONGKAI_FILES_DIR", files_dir)  # never ./files in the working tree
        init_demo(engine, org_code="default", public_url="http://x")
    with Session(engine) as s:
        template = s.get(Item, 1)
        pub = s.query(Publication).first()
        now = utcnow()
        for n in range(publications):
            state = ("confirmed", "pending", "failed", "sent")[n % 4]
            s.add(Publication(org_id=template.org_id, item_id=pub.item_id, revision_id=pub.revision_id,
                              content_hash=pub.content_hash, channel=("portal", "mp")[n % 2], state=state,
                              due_at=now - timedelta(minutes=n % 600), sent_at=now if state != "pending" else None,
                              idempotency_key=f"bench-{n}"))
        s.commit()


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def _time(client: TestClient, path: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        client.get(path)
        out.append((time.perf_counter() - t) * 1000)
    return out


def run(quick: bool) -> list[dict]:
    publications, n = (500, 20) if quick else (20_000, 100)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        _fill(engine, publications)
        app = create_app(Settings(database_url=str(engine.url)), engine=engine)
        with TestClient(app) as client:
            floor = _time(client, "/healthz", n)
            scrape = _time(client, "/metrics", n)
            ready = _time(client, "/readyz", n)
        engine.dispose()
    floor_p50 = statistics.median(floor)
    scrape_p95 = _p(scrape, 0.95)
    return [
        {"name": f"/metrics 抓取 p95（{publications} 条发布任务，SQLite）", "figure": round(scrape_p95, 2), "unit": "ms",
         "floor": round(floor_p50, 2), "floor_name": "/healthz p50（同一进程）", "target": "< 1000 ms",
         "met": scrape_p95 < 1000},
        {"name": "/readyz p95", "figure": round(_p(ready, 0.95), 2), "unit": "ms", "floor": round(floor_p50, 2),
         "floor_name": "/healthz p50（同一进程）", "target": "< 200 ms", "met": _p(ready, 0.95) < 200},
    ]
