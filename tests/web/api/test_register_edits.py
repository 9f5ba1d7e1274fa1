"""Editing and deleting interactions and appeal cases through the JSON API (both databases)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from annual.registers.models import AppealCase, Interaction
from app.factory import create_app
from content.models import AuditEvent
from content.settings import Settings
from tests.web.api.conftest import Api


@pytest.fixture
def api(engine, db_url, world):
    settings = Settings(database_url=db_url, secret_key="test-secret-key-for-api")
    with TestClient(create_app(settings, engine=engine)) as client:
        yield Api(client, world.password)


def _actions(engine, target_type: str) -> list[str]:
    with Session(engine) as s:
        return [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.target_type == target_type)
                                         .order_by(AuditEvent.id))]


def test_interaction_update_and_delete(api, engine):
    admin = api.as_("admin")
    r = admin.post("/api/v1/registers/interactions", json={
        "kind": "survey", "title": "乡村道路满意度调查", "starts_on": "2025-04-01", "ends_on": "2025-04-30",
        "participants": 120, "suggestions": 8})
    assert r.status_code == 201, r.text
    row_id = r.json()["id"]

    r = admin.patch(f"/api/v1/registers/interactions/{row_id}", json={"participants": 150, "kind": "民意征集"})
    assert r.status_code == 200, r.text
    assert r.json()["participants"] == 150 and r.json()["kind"] == "solicitation"

    # the merged row is checked as a whole: an end before the stored start is refused, nothing changes
    r = admin.patch(f"/api/v1/registers/interactions/{row_id}", json={"ends_on": "2025-03-01"})
    assert r.status_code == 422 and r.json()["code"] == "end_before_start"
    r = admin.patch(f"/api/v1/registers/interactions/{row_id}", json={"kind": "hotline"})
    assert r.status_code == 422 and r.json()["code"] == "unknown_code"
    with Session(engine) as s:
        row = s.get(Interaction, row_id)
        assert (str(row.ends_on), row.kind, row.participants) == ("2025-04-30", "solicitation", 150)

    # a drafter reads but may not write
    drafter = api.as_("drafter")
    assert drafter.patch(f"/api/v1/registers/interactions/{row_id}", json={"participants": 1}).status_code == 403
    assert drafter.client.delete(f"/api/v1/registers/interactions/{row_id}",
                                 headers=drafter.headers).status_code == 403

    r = admin.client.delete(f"/api/v1/registers/interactions/{row_id}", headers=admin.headers)
    assert r.status_code == 204
    r = admin.client.delete(f"/api/v1/registers/interactions/{row_id}", headers=admin.headers)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    with Session(engine) as s:
        assert s.get(Interaction, row_id) is None
    assert _actions(engine, "interaction") == ["interaction.create", "interaction.update", "interaction.delete"]


def test_appeal_update_and_delete(api, engine):
    admin = api.as_("admin")
    r = admin.post("/api/v1/registers/appeals", json={"kind": "reconsideration", "case_no": "复2025-1",
                                                       "filed_on": "2025-05-06"})
    assert r.status_code == 201, r.text
    row_id = r.json()["id"]

    # deciding a case needs its date, and not one before filing
    r = admin.patch(f"/api/v1/registers/appeals/{row_id}", json={"outcome": "upheld"})
    assert r.status_code == 422 and r.json()["code"] == "outcome_needs_date"
    r = admin.patch(f"/api/v1/registers/appeals/{row_id}", json={"outcome": "upheld", "decided_on": "2025-05-01"})
    assert r.status_code == 422 and r.json()["code"] == "decided_before_filed"
    r = admin.patch(f"/api/v1/registers/appeals/{row_id}", json={"application_id": 999999})
    assert r.status_code == 422 and r.json()["code"] == "application_not_found"
    with Session(engine) as s:
        row = s.get(AppealCase, row_id)
        assert (row.outcome, row.decided_on, row.application_id) == ("pending", None, None)

    r = admin.patch(f"/api/v1/registers/appeals/{row_id}", json={"outcome": "corrected", "decided_on": "2025-07-01"})
    assert r.status_code == 200 and r.json()["outcome"] == "corrected"
    r = admin.patch(f"/api/v1/registers/appeals/{row_id}", json={"unknown": 1})
    assert r.status_code == 422

    assert api.as_("leader").client.delete(f"/api/v1/registers/appeals/{row_id}",
                                           headers=api.as_("leader").headers).status_code == 403
    assert admin.client.delete(f"/api/v1/registers/appeals/{row_id}", headers=admin.headers).status_code == 204
    with Session(engine) as s:
        assert s.get(AppealCase, row_id) is None
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "appeal.delete")).one()
        assert event.data["case_no"] == "复2025-1"
    assert _actions(engine, "appeal") == ["appeal.create", "appeal.update", "appeal.delete"]
