"""`/api/v1/publications` and `/api/v1/health/scheduler` through the app, both databases."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.factory import create_app
from content.models import Publication
from content.settings import Settings
from scheduler.heartbeat import beat
from tests.scheduler.helpers import approved_item, pub


def _client(engine, world, login="drafter"):
    client = TestClient(create_app(Settings(_env_file=None), engine=engine))
    token = client.post("/api/v1/auth/token", json={"login": login, "password": world.password}).json()[
        "token"
    ]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def test_list_and_retry_a_failed_publication(engine, world):
    [pid] = approved_item(engine, world)
    with Session(engine) as s:
        row = s.get(Publication, pid)
        row.state, row.last_error, row.attempts = "failed", "门户网站拒绝了稿件（422）", 3
        s.add(row)
        s.commit()
        item_id = row.item_id
    client = _client(engine, world)
    [listed] = client.get("/api/v1/publications", params={"item_id": item_id}).json()
    assert (
        listed["state"] == "failed"
        and listed["state_label"] == "失败"
        and listed["channel_label"] == "门户网站"
    )
    resp = client.post(f"/api/v1/publications/{pid}/retry")
    assert resp.status_code == 200 and resp.json()["state"] == "pending"
    assert pub(engine, pid).attempts == 0
    again = client.post(f"/api/v1/publications/{pid}/retry")
    assert again.status_code == 409 and again.json()["code"] == "not_retryable"
    other = _client(engine, world, login="drafter_b").post(f"/api/v1/publications/{pid}/retry")
    assert other.status_code == 404  # another department's item: answered like a missing record (issue 14)
    assert client.post("/api/v1/publications/999999/retry").status_code == 404


def test_scheduler_health(engine, world):
    client = _client(engine, world)
    assert client.get("/api/v1/health/scheduler").json()["status"] == "never"
    beat(engine, "h:1:x", interval=5)
    body = client.get("/api/v1/health/scheduler").json()
    assert body["status"] == "fresh" and body["instances"] == 1
