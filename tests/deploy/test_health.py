"""/healthz, /readyz and /metrics on both databases, through the real app."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Float, String, column, table

from app.factory import create_app
from content.models.base import UTCDateTime
from content.settings import Settings
from content.timeutil import utcnow


@pytest.fixture
def client(engine):
    app = create_app(Settings(database_url=engine.url.render_as_string(hide_password=False)), engine=engine)
    with TestClient(app) as c:
        yield c


def _beat(engine, age_seconds: float, interval: float = 5.0) -> None:
    at = utcnow() - timedelta(seconds=age_seconds)
    hb = table("scheduler_heartbeat", column("instance", String()), column("interval_seconds", Float()),
               column("started_at", UTCDateTime()), column("beat_at", UTCDateTime()), column("info", String()))
    with engine.begin() as conn:
        conn.execute(hb.delete())
        conn.execute(hb.insert().values(instance="test:1", interval_seconds=interval, started_at=at,
                                        beat_at=at, info=""))


def test_healthz_answers_without_the_database(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_readyz_not_ready_until_the_scheduler_beats(client, engine):
    r = client.get("/readyz")
    assert r.status_code == 503
    checks = r.json()["checks"]
    assert checks["database"]["ok"] and checks["migrations"]["ok"]
    assert not checks["scheduler"]["ok"] and checks["scheduler"]["status"] == "never"

    _beat(engine, age_seconds=1)
    r = client.get("/readyz")
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "ready"

    _beat(engine, age_seconds=60, interval=5)  # older than two intervals: a stopped scheduler
    r = client.get("/readyz")
    assert r.status_code == 503
    assert not r.json()["checks"]["scheduler"]["ok"]


def test_readyz_reports_an_unmigrated_database(tmp_path):
    from content.db.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    app = create_app(Settings(database_url=str(engine.url)), engine=engine)
    with TestClient(app) as c:
        r = c.get("/readyz")
    assert r.status_code == 503
    assert r.json()["checks"]["migrations"]["ok"] is False
    engine.dispose()


def test_readyz_reports_an_unreachable_database():
    from content.db.db import make_engine

    engine = make_engine("postgresql://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2})
    app = create_app(Settings(database_url="postgresql://nobody@127.0.0.1:1/none"), engine=engine)
    with TestClient(app) as c:
        r = c.get("/readyz")
        assert r.status_code == 503
        body = r.json()
        assert body["checks"]["database"]["ok"] is False and "nobody" not in r.text
        m = c.get("/metrics")
    assert m.status_code == 200 and "gongkai_up 0" in m.text


def _samples(body: str) -> dict[str, float]:
    out = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            out[key] = float(value)
    return out


def test_metrics_counts_callbacks_and_reads_the_database(client, engine):
    client.get("/wechat/nowhere")  # 404 from the app: counted as a rejected callback
    body = client.get("/metrics").text
    samples = _samples(body)
    assert samples["gongkai_up"] == 1
    assert samples["gongkai_dispatch_lag_seconds"] == 0
    assert samples['gongkai_review_age_hours_count'] == 0
    rejected = [k for k in samples if k.startswith("gongkai_callbacks_total") and 'result="rejected"' in k]
    assert rejected and samples[rejected[0]] == 1
    # every sample belongs to a family declared just before it
    declared = {line.split()[2] for line in body.splitlines() if line.startswith("# TYPE")}
    for key in samples:
        name = key.split("{", 1)[0]
        assert any(name == d or name.startswith(d + "_") for d in declared), name
