"""Working-day arithmetic and the holiday-spec parser (pure, no database)."""

from __future__ import annotations

from datetime import date

import pytest

from annual.workdays import WorkCalendar, parse_days
from content.errors import Invalid


def test_counting_starts_the_day_after():
    cal = WorkCalendar()
    # from Friday 2025-01-24: Sunday 26 Jan is a 调休 working day (1st), Monday 27 Jan (2nd),
    # 28 Jan–4 Feb is the Spring Festival, Wednesday 5 Feb (3rd)
    assert cal.add_workdays(date(2025, 1, 24), 1) == (date(2025, 1, 26), False)
    assert cal.add_workdays(date(2025, 1, 24), 3) == (date(2025, 2, 5), False)
    assert cal.add_workdays(date(2025, 1, 24), 0) == (date(2025, 1, 24), False)
    assert cal.workdays_between(date(2025, 1, 24), date(2025, 2, 5)) == 3
    assert cal.workdays_between(date(2025, 2, 5), date(2025, 1, 24)) == -3


def test_entered_year_overrides_weekends():
    cal = WorkCalendar(days={date(2027, 2, 8): "holiday", date(2027, 2, 20): "workday"}, entered_years={2027})
    assert cal.is_workday(date(2027, 2, 8)) is False  # a Monday off
    assert cal.is_workday(date(2027, 2, 20)) is True  # a Saturday worked
    assert cal.add_workdays(date(2027, 2, 5), 1) == (date(2027, 2, 9), False)
    assert WorkCalendar().add_workdays(date(2027, 2, 5), 1) == (date(2027, 2, 8), True)


def test_parse_days():
    assert parse_days("2027-01-01, 2027-02-05..2027-02-07、2027/2/14".replace("/", "-")) == [
        date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 14)]
    assert parse_days("") == []
    for bad in ("2027-02-30", "tomorrow", "2027-03-01..2027-02-01"):
        with pytest.raises(Invalid):
            parse_days(bad)
