"""节假日安排 page and the dashboard's notice of a year nobody entered (both databases)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, func, select

from annual.registers.applications import create_application
from annual.registers.models import DisclosureApplication, HolidayDay, HolidayYear
from content.models import AuditEvent


def _provisional_application(engine, world) -> int:
    """Received 2026-12-18: its 20 working days run into 2027, which chinese_calendar does not know."""
    with Session(engine) as s:
        application = create_application(s, org_id=world.org_id, actor=None, data={
            "channel": "online", "received_on": "2026-12-18", "applicant_type": "natural"})
        s.commit()
        return application.id


def _holiday_rows(engine) -> tuple[int, int]:
    with Session(engine) as s:
        return (s.exec(select(func.count()).select_from(HolidayYear)).one(),
                s.exec(select(func.count()).select_from(HolidayDay)).one())


def test_admin_enters_missing_year_and_due_dates_become_exact(client_for, engine, world):
    app_id = _provisional_application(engine, world)
    drafter = client_for("drafter")
    r = drafter.page("/")
    assert 'id="missing-holiday-years"' in r.text and "2027" in r.text and "政务公开专员" in r.text

    admin = client_for("admin")
    r = admin.page("/registers/holidays")
    assert r.status_code == 200 and 'id="missing-holiday-years"' in r.text
    assert 'name="year" type="number" value="2027"' in r.text  # the missing year is offered

    form = {"year": "2027", "holidays": "2027-01-01..2027-01-03, 2027-02-05..2027-02-11",
            "workdays": "2027-01-02", "source": "国办发明电〔2026〕1号"}
    r = admin.submit("/registers/holidays", form)  # 2 January both holiday and workday
    assert r.status_code == 422 and 'id="error-holidays"' in r.text and "2027-01-02" in r.text
    assert "既是节假日又是调休上班日" in r.text and "国办发明电〔2026〕1号" in r.text
    r = admin.submit("/registers/holidays", {**form, "year": "2101", "workdays": ""})
    assert r.status_code == 422 and 'id="error-year"' in r.text and 'value="2101"' in r.text
    r = admin.submit("/registers/holidays", {**form, "holidays": "2027-02-30", "workdays": "next sunday"})
    assert r.status_code == 422 and 'id="error-holidays"' in r.text and 'id="error-workdays"' in r.text
    r = admin.submit("/registers/holidays", {**form, "workdays": "2027-02-15"})  # a Monday
    assert r.status_code == 422 and 'id="error-workdays"' in r.text and "周末" in r.text
    assert _holiday_rows(engine) == (0, 0)
    with Session(engine) as s:
        assert s.get(DisclosureApplication, app_id).due_provisional is True
        assert not s.exec(select(AuditEvent).where(AuditEvent.action == "holidays.set")).all()

    r = admin.submit("/registers/holidays", {**form, "workdays": "2027-02-14, 2027-02-20"})
    assert r.status_code == 303
    r = admin.page(r.headers["location"])
    assert "已保存 2027 年的节假日安排，1 个截止日期已重新计算" in r.text
    assert 'id="year-2027"' in r.text and "国办发明电〔2026〕1号" in r.text
    assert 'id="missing-holiday-years"' not in r.text
    assert _holiday_rows(engine) == (1, 12)
    with Session(engine) as s:
        application = s.get(DisclosureApplication, app_id)
        # 18 Dec 2026 + 20 working days with 1–3 January off: 18 January 2027
        assert (application.due_on, application.due_provisional) == (date(2027, 1, 18), False)
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "holidays.set")).one()
        assert event.data["year"] == 2027 and event.data["due_dates_changed"] == 1
    assert 'id="missing-holiday-years"' not in drafter.page("/").text
    r = drafter.page("/registers")
    assert "2027-01-18" in r.text and "暂定" not in r.text.split('id="applications-table"')[1]


def test_holiday_entry_is_admin_only(client_for, engine, world):
    _provisional_application(engine, world)
    leader = client_for("leader")
    r = leader.page("/registers/holidays")
    assert r.status_code == 200 and 'id="holiday-form"' not in r.text and "请联系政务公开专员" in r.text
    r = leader.submit("/registers/holidays", {"year": "2027", "holidays": "2027-01-01"})
    assert r.status_code == 403 and "<html" in r.text
    assert _holiday_rows(engine) == (0, 0)
