"""Due dates in Chinese working days, the provisional year, and bad register input."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, func, select

from annual.registers.applications import create_application, update_application
from annual.registers.holidays import missing_years, set_holiday_year
from annual.registers.models import DisclosureApplication, HolidayDay
from annual.workdays import WorkCalendar, parse_days
from content.errors import Invalid
from content.models import AuditEvent
from tests.annual.report.fixture import load_applications


def _app(s, world, **data):
    base = {"channel": "online", "applicant_type": "natural"}
    return create_application(s, org_id=world.org_id, actor=None, data={**base, **data})


def test_due_dates_across_holidays(engine, world):
    with Session(engine) as s:
        ids = load_applications(s, world.org_id)
        s.commit()
        due = {k: s.get(DisclosureApplication, ids[k]) for k in "ABCDEF"}
        # A: from 2024-09-21; 29 Sep (Sunday) and 12 Oct (Saturday) are 调休 workdays, 1–7 Oct off
        assert due["A"].due_on == date(2024, 10, 23)
        # B: 20 + 20 working days from 2024-12-21; 1 Jan and 28 Jan–4 Feb off, 26 Jan and 8 Feb worked
        assert due["B"].due_on == date(2025, 2, 21)
        # C: the period restarts from the 补正 received on 2025-02-05
        assert due["C"].due_on == date(2025, 3, 4)
        # E: waiting for a 补正 that never came: no due date
        assert due["E"].due_on is None
        assert not any(a.due_provisional for a in due.values())
        # National Day 2025 (1–8 Oct off, 28 Sep and 11 Oct worked) with an extension of 5 days
        assert _app(s, world, received_on="2025-09-26", extension_days=5).due_on == date(2025, 11, 6)
        # third-party consultation time is not counted
        assert _app(s, world, received_on="2025-09-26", consultation_days=3).due_on == date(2025, 11, 4)


def test_due_date_in_unknown_year_is_provisional_until_entered(engine, world):
    with Session(engine) as s:
        application = _app(s, world, received_on="2026-12-18")
        s.commit()
        app_id = application.id
        # 2027 is unknown to chinese_calendar 1.11: weekends only, 1 January 2027 (a Friday) counted
        assert (application.due_on, application.due_provisional) == (date(2027, 1, 15), True)
        assert missing_years(s, org_id=world.org_id) == [2027]
        changed = set_holiday_year(s, org_id=world.org_id, year=2027, holidays=parse_days("2027-01-01..2027-01-03"),
                                   workdays=[], source="测试通知")
        s.commit()
        assert changed == 1
    with Session(engine) as s:
        application = s.get(DisclosureApplication, app_id)
        assert (application.due_on, application.due_provisional) == (date(2027, 1, 18), False)
        assert missing_years(s, org_id=world.org_id) == []
        assert WorkCalendar.load(s, world.org_id).is_workday(date(2027, 1, 1)) is False


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"received_on": "2025-03-10", "replied_on": "2025-03-09", "result": "public"}, "reply_before_receipt"),
        ({"received_on": "2025-03-10", "replied_on": "2025-03-12", "result": "no_such_row"}, "unknown_code"),
        ({"received_on": "2025-03-10", "extension_days": 21}, "number_out_of_range"),
        ({"received_on": "1999-03-10"}, "date_out_of_range"),
        ({"received_on": "2025-03-10", "applicant_type": "alien"}, "unknown_code"),
        ({"received_on": "2025-03-10", "replied_on": "2025-03-12"}, "reply_needs_result"),
    ],
)
def test_bad_application_changes_nothing(engine, world, data, code):
    with Session(engine) as s:
        with pytest.raises(Invalid) as err:
            _app(s, world, **data)
        s.rollback()
        assert err.value.code == code
        assert err.value.message  # Chinese message for people
        assert s.exec(select(func.count()).select_from(DisclosureApplication)).one() == 0
        assert s.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.like("application.%"))).one() == 0


def test_bad_update_keeps_the_stored_row(engine, world):
    with Session(engine) as s:
        application = _app(s, world, received_on="2025-03-10")
        s.commit()
        app_id = application.id
        with pytest.raises(Invalid):
            update_application(s, org_id=world.org_id, actor=None, app_id=application.id,
                               changes={"replied_on": "2025-03-01", "result": "public"})
        s.rollback()
    with Session(engine) as s:
        application = s.get(DisclosureApplication, app_id)
        assert application.replied_on is None and application.result is None


@pytest.mark.parametrize(
    ("year", "holidays", "workdays", "code"),
    [
        (2027, "2027-01-01", "2027-01-01", "holiday_contradiction"),
        (2101, "2101-01-01", "", "year_out_of_range"),
        (2003, "2003-01-01", "", "year_out_of_range"),
        (2027, "2028-01-01", "", "holiday_wrong_year"),
    ],
)
def test_bad_holiday_entry_changes_nothing(engine, world, year, holidays, workdays, code):
    with Session(engine) as s:
        app_id = _app(s, world, received_on="2026-12-18").id
        s.commit()
        with pytest.raises(Invalid) as err:
            set_holiday_year(s, org_id=world.org_id, year=year, holidays=parse_days(holidays),
                             workdays=parse_days(workdays))
        s.rollback()
        assert err.value.code == code
        assert s.exec(select(func.count()).select_from(HolidayDay)).one() == 0
        assert s.get(DisclosureApplication, app_id).due_provisional is True
