"""Registers and reports over the JSON API (both databases)."""

from __future__ import annotations

import json
from io import BytesIO

import docx
import pytest
from fastapi.testclient import TestClient

from app.factory import create_app
from content.settings import Settings
from tests.web.api.conftest import Api


@pytest.fixture
def api(engine, db_url, world):
    settings = Settings(database_url=db_url, secret_key="test-secret-key-for-api")
    with TestClient(create_app(settings, engine=engine)) as client:
        yield Api(client, world.password)


def test_application_register_and_report(api):
    admin = api.as_("admin")
    r = admin.post("/api/v1/registers/applications", json={
        "channel": "online", "received_on": "2026-12-18", "applicant_type": "natural", "request": "申请公开……"})
    assert r.status_code == 201, r.text
    app = r.json()
    assert app["due_on"] == "2027-01-15" and app["due_provisional"] is True
    assert app["due_label"] == "2027-01-15（暂定）"
    r = admin.get("/api/v1/registers/holidays")
    assert r.json()["missing_years"] == [2027]
    r = admin.put("/api/v1/registers/holidays/2027", json={"holidays": "2027-01-01..2027-01-03"})
    assert r.status_code == 200 and r.json()["due_dates_changed"] == 1
    app = admin.get(f"/api/v1/registers/applications/{app['id']}").json()
    assert (app["due_on"], app["due_provisional"]) == ("2027-01-18", False)
    r = admin.patch(f"/api/v1/registers/applications/{app['id']}",
                    json={"replied_on": "2027-01-10", "result": "public"})
    assert r.status_code == 200 and r.json()["result_label"] == "（一）予以公开"

    # a drafter may read the report but not write the register
    drafter = api.as_("drafter")
    assert drafter.post("/api/v1/registers/applications", json={}).status_code == 403
    tally = drafter.get("/api/v1/tally/2026").json()
    assert tally["applications"]["new"]["total"] == 1 and tally["applications"]["carried_out"]["total"] == 1
    report = drafter.get("/api/v1/reports/2027?format=json&layout=2019").json()
    assert report["cells"]["t3.carried_in.natural"] == 1 and report["cells"]["t3.public.natural"] == 1
    r = drafter.get("/api/v1/reports/2027?format=docx")
    assert r.status_code == 200
    assert docx.Document(BytesIO(r.content)).paragraphs[0].text == "测试镇2027年政府信息公开工作年度报告"
    assert "（七）总计" in drafter.get("/api/v1/reports/2027?format=html").text


@pytest.mark.parametrize(
    ("url", "body", "status", "code"),
    [
        ("/api/v1/registers/applications", {"channel": "online", "received_on": "2025-03-10", "applicant_type": "natural",
                                            "replied_on": "2025-03-01", "result": "public"}, 422, "reply_before_receipt"),
        ("/api/v1/registers/applications", {"channel": "online", "received_on": "2025-03-10", "applicant_type": "natural",
                                            "replied_on": "2025-03-11", "result": "（八）瞎编"}, 422, "unknown_code"),
        ("/api/v1/registers/holidays/2027", {"holidays": "2027-01-01", "workdays": "2027-01-01"}, 422,
         "holiday_contradiction"),
        ("/api/v1/registers/holidays/2200", {"holidays": "2200-01-01"}, 422, "year_out_of_range"),
        ("/api/v1/registers/figures/2025", {"figures": {"t2.nonsense": 1}}, 422, "unknown_cell"),
    ],
)
def test_bad_input_is_a_clear_4xx(api, url, body, status, code):
    admin = api.as_("admin")
    r = admin.put(url, json=body) if "/holidays/" in url or "/figures/" in url else admin.post(url, json=body)
    assert r.status_code == status, r.text
    assert r.json()["code"] == code and r.json()["message"]
    assert admin.get("/api/v1/registers/applications").json() == []
    assert admin.get("/api/v1/registers/holidays").json()["years"] == []


def test_strict_report_is_refused_when_inconsistent(api):
    admin = api.as_("admin")
    admin.put("/api/v1/registers/figures/2024", json={"figures": {"t3.carried_out.natural": 1,
                                                                  "t3.carried_out.total": 1}})
    r = admin.get("/api/v1/reports/2025?strict=true")
    assert r.status_code == 409 and r.json()["code"] == "report_inconsistent"
    body = json.loads(admin.get("/api/v1/reports/2025").text)
    assert {e["cell"] for e in body["errors"]} == {"t3.carried_in.natural", "t3.carried_in.total"}
