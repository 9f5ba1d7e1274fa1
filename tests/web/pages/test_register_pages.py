"""台账 pages: applications with due-date countdown, interactions and appeals (both databases)."""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import Session, func, select

from annual.registers.applications import create_application
from annual.registers.models import AppealCase, DisclosureApplication, Interaction
from annual.workdays import WorkCalendar
from content.models import AuditEvent
from tests.web.pages.conftest import HTML
from web.pages.register_pages import countdown

APP = {"number": "YSQ-2025-01", "channel": "online", "received_on": "2025-03-03", "applicant_type": "natural",
       "applicant_name": "张三", "request": "申请公开某村道路硬化工程的招标文件", "extension_days": "0",
       "consultation_days": "0"}  # fmt: skip


def _count(engine, model) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def _audit(engine, action: str) -> list[AuditEvent]:
    with Session(engine) as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def _row(html: str, row_id: str) -> str:
    m = re.search(rf'<tr[^>]*id="{row_id}".*?</tr>', html, re.S)
    assert m, f"no row {row_id}"
    return m.group(0)


def test_countdown_counts_working_days():
    cal = WorkCalendar()
    application = DisclosureApplication(org_id=1, channel="online", received_on=date(2025, 3, 3), applicant_type="natural",
                                due_on=date(2025, 3, 31))  # fmt: skip
    # (2025-03-24, 2025-03-31] holds 25, 26, 27, 28 and 31 March
    assert countdown(cal, application, date(2025, 3, 24)) == {"text": "剩 5 个工作日", "kind": "soon"}
    assert countdown(cal, application, date(2025, 3, 10))["text"] == "剩 15 个工作日"
    assert countdown(cal, application, date(2025, 3, 31))["text"] == "今日到期"
    assert countdown(cal, application, date(2025, 4, 2)) == {"text": "已逾期 2 个工作日", "kind": "late"}
    # Spring Festival 2025 (28 Jan – 4 Feb off, Sunday 26 Jan and Saturday 8 Feb worked)
    application.due_on = date(2025, 2, 10)
    assert countdown(cal, application, date(2025, 1, 24))["text"] == "剩 7 个工作日"
    application.due_on = None
    assert countdown(cal, application, date(2025, 4, 2))["kind"] == "wait"
    application.replied_on = date(2025, 3, 20)
    assert countdown(cal, application, date(2025, 4, 2))["text"] == "已于 2025-03-20 答复"


def test_list_shows_countdown_provisional_and_missing_year(client_for, engine, world):
    with Session(engine) as s:
        late = create_application(s, org_id=world.org_id, actor=None, data={
            "channel": "online", "received_on": "2026-12-18", "applicant_type": "commercial",
            "applicant_name": "某公司"})
        waiting = create_application(s, org_id=world.org_id, actor=None, data={
            "channel": "post", "received_on": "2025-03-03", "applicant_type": "natural",
            "correction_asked_on": "2025-03-05"})
        done = create_application(s, org_id=world.org_id, actor=None, data={
            "channel": "in_person", "received_on": "2025-03-03", "applicant_type": "legal",
            "replied_on": "2025-03-20", "result": "public"})
        s.commit()
        ids = late.id, waiting.id, done.id
    r = client_for("drafter").page("/registers")
    assert r.status_code == 200
    row = _row(r.text, f"application-{ids[0]}")
    assert "2027-01-15" in row and "暂定" in row
    assert "待补正" in _row(r.text, f"application-{ids[1]}")
    row = _row(r.text, f"application-{ids[2]}")
    assert "已于 2025-03-20 答复" in row and "（一）予以公开" in row and "暂定" not in row
    assert 'id="missing-holiday-years"' in r.text and "2027" in r.text
    assert 'href="/registers" class="active"' in r.text  # the 台账 navigation entry
    assert 'id="new-application"' not in r.text  # read-only for a drafter
    r = client_for("drafter").page(f"/registers/applications/{ids[0]}")
    assert r.status_code == 200 and 'id="save-btn"' not in r.text and "暂定" in r.text


def test_admin_creates_and_edits_application_with_inline_errors(client_for, engine, world):
    admin = client_for("admin")
    assert admin.page("/registers/applications/new").status_code == 200
    bad = {**APP, "applicant_name": "<b>王五</b>", "replied_on": "2025-03-01", "result": "public"}
    r = admin.submit("/registers/applications/new", bad)
    assert r.status_code == 422
    assert 'id="error-replied_on"' in r.text and "早于收到申请日期" in r.text
    assert 'value="2025-03-01"' in r.text and 'value="&lt;b&gt;王五&lt;/b&gt;"' in r.text
    r = admin.submit("/registers/applications/new", {**APP, "replied_on": "2025-03-20", "result": "bogus"})
    assert r.status_code == 422 and 'id="error-result"' in r.text and "未知的办理结果代码" in r.text
    r = admin.submit("/registers/applications/new", {**APP, "received_on": "2025-13-40"})
    assert r.status_code == 422 and 'id="error-received_on"' in r.text and 'value="2025-13-40"' in r.text
    assert _count(engine, DisclosureApplication) == 0 and not _audit(engine, "application.create")

    r = admin.submit("/registers/applications/new", APP)
    assert r.status_code == 303
    with Session(engine) as s:
        application = s.exec(select(DisclosureApplication)).one()
        assert (application.number, application.due_on, application.due_provisional) == ("YSQ-2025-01", date(2025, 3, 31), False)
    assert len(_audit(engine, "application.create")) == 1
    page = admin.page(r.headers["location"])
    assert "已保存" in page.text and "2025-03-31" in page.text

    url = f"/registers/applications/{application.id}"
    r = admin.submit(url, {**APP, "extension_days": "25"})
    assert r.status_code == 422 and 'id="error-extension_days"' in r.text and 'value="25"' in r.text
    r = admin.submit(url, {**APP, "result": "public", "withheld_reasons": ["deny_secret"], "replied_on": "2025-04-01"})
    assert r.status_code == 422 and 'id="error-withheld_reasons"' in r.text
    with Session(engine) as s:
        assert s.get(DisclosureApplication, application.id).extension_days == 0
    assert not _audit(engine, "application.update")

    r = admin.submit(url, {**APP, "extension_days": "5", "replied_on": "2025-04-03", "result": "partial",
                           "withheld_reasons": ["deny_third_party"], "handler_id": str(world.admin)})
    assert r.status_code == 303, r.text
    with Session(engine) as s:
        application = s.get(DisclosureApplication, application.id)
        assert (application.due_on, application.result, application.withheld_reasons) == (date(2025, 4, 8), "partial", ["deny_third_party"])
        assert application.handler_id == world.admin
    assert len(_audit(engine, "application.update")) == 1


def test_writes_are_admin_only(client_for, engine, world):
    with Session(engine) as s:
        application = create_application(s, org_id=world.org_id, actor=None, data={
            "channel": "online", "received_on": "2025-03-03", "applicant_type": "natural"})
        s.add(Interaction(org_id=world.org_id, kind="survey", title="问卷", starts_on=date(2025, 1, 1)))
        s.commit()
        app_id = application.id
        row_id = s.exec(select(Interaction.id)).one()
    head = client_for("head_a")
    assert head.page("/registers").status_code == 200
    r = head.page("/registers/applications/new")
    assert r.status_code == 403 and "政务公开专员" in r.text and "<html" in r.text
    for url, data in [("/registers/applications/new", APP), (f"/registers/applications/{app_id}", APP),
                      ("/registers/interactions/new", {"kind": "survey", "title": "x", "starts_on": "2025-01-01"}),
                      (f"/registers/interactions/{row_id}", {"kind": "survey", "title": "改", "starts_on": "2025-01-01"}),
                      (f"/registers/interactions/{row_id}/delete", {}),
                      ("/registers/appeals/new", {"kind": "reconsideration", "filed_on": "2025-01-01"})]:
        r = head.submit(url, data)
        assert r.status_code == 403, url
    assert _count(engine, DisclosureApplication) == 1 and _count(engine, Interaction) == 1
    assert _count(engine, AppealCase) == 0
    with Session(engine) as s:
        assert s.get(Interaction, row_id).title == "问卷"
    r = head.page(f"/registers/interactions/{row_id}")
    assert r.status_code == 200 and 'id="delete-btn"' not in r.text and "disabled" in r.text


def test_interactions_create_edit_delete(client_for, engine):
    admin = client_for("admin")
    assert admin.page("/registers/interactions/new").status_code == 200
    data = {"kind": "survey", "title": "乡村道路满意度调查", "starts_on": "2025-04-10", "ends_on": "2025-04-01",
            "participants": "120", "suggestions": "8"}
    r = admin.submit("/registers/interactions/new", data)
    assert r.status_code == 422 and 'id="error-ends_on"' in r.text and "结束日期不能早于开始日期" in r.text
    assert 'value="乡村道路满意度调查"' in r.text and 'value="120"' in r.text
    r = admin.submit("/registers/interactions/new", {**data, "kind": "hotline", "ends_on": ""})
    assert r.status_code == 422 and 'id="error-kind"' in r.text
    assert _count(engine, Interaction) == 0

    r = admin.submit("/registers/interactions/new", {**data, "ends_on": "2025-04-30"})
    assert r.status_code == 303
    url = r.headers["location"].split("?")[0]
    r = admin.submit(url, {**data, "ends_on": "2025-04-30", "participants": "many"})
    assert r.status_code == 422 and 'id="error-participants"' in r.text and 'value="many"' in r.text
    r = admin.submit(url, {**data, "kind": "interview", "ends_on": "2025-04-30", "participants": "150"})
    assert r.status_code == 303
    with Session(engine) as s:
        row = s.exec(select(Interaction)).one()
        assert (row.kind, row.participants, row.ends_on) == ("interview", 150, date(2025, 4, 30))
    page = admin.page("/registers")
    assert "在线访谈" in _row(page.text, f"interaction-{row.id}")

    r = admin.submit(f"{url}/delete", {})
    assert r.status_code == 303 and r.headers["location"].startswith("/registers?deleted=interactions")
    assert _count(engine, Interaction) == 0
    assert [len(_audit(engine, f"interaction.{a}")) for a in ("create", "update", "delete")] == [1, 1, 1]
    assert admin.submit(f"{url}/delete", {}).status_code == 404


def test_appeals_create_edit_delete(client_for, engine):
    admin = client_for("admin")
    data = {"kind": "reconsideration", "case_no": "复〔2025〕3号", "filed_on": "2025-05-06", "outcome": "upheld",
            "decided_on": "", "application_id": "", "note": "<script>alert(1)</script>"}
    r = admin.submit("/registers/appeals/new", data)
    assert r.status_code == 422 and 'id="error-decided_on"' in r.text and "审结日期" in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text and "<script>alert(1)" not in r.text
    r = admin.submit("/registers/appeals/new", {**data, "outcome": "pending", "application_id": "999"})
    assert r.status_code == 422 and 'id="error-application_id"' in r.text
    assert _count(engine, AppealCase) == 0

    r = admin.submit("/registers/appeals/new", {**data, "outcome": "pending"})
    assert r.status_code == 303
    url = r.headers["location"].split("?")[0]
    r = admin.submit(url, {**data, "kind": "litigation_after", "outcome": "corrected", "decided_on": "2025-08-01"})
    assert r.status_code == 303
    with Session(engine) as s:
        row = s.exec(select(AppealCase)).one()
        assert (row.kind, row.outcome, row.decided_on) == ("litigation_after", "corrected", date(2025, 8, 1))
    r = admin.page("/registers")
    assert "行政诉讼（复议后起诉）" in _row(r.text, f"appeal-{row.id}") and "结果纠正" in r.text
    assert admin.submit(f"{url}/delete", {}).status_code == 303
    assert _count(engine, AppealCase) == 0
    assert [len(_audit(engine, f"appeal.{a}")) for a in ("create", "update", "delete")] == [1, 1, 1]
    assert admin.get("/registers/unknown/1", headers=HTML).status_code == 404
