"""Chinese working days: the `chinese_calendar` package plus years the admin entered.

`chinese_calendar` knows only the years whose arrangement the State Council has announced. For a later
year the admin enters the holidays and 调休 working days from the notice (`HolidayDay` rows); until then
that year is counted on weekends only and every result that touched it is *provisional* (暂定).

Periods are counted as the civil code counts periods in days: the start day is not counted, the first
day counted is the day after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar
from chinese_calendar import constants as _cc
from sqlmodel import Session, select

from content.errors import Invalid

MIN_YEAR, MAX_YEAR = 2004, 2100
PACKAGE_YEARS = range(min(_cc.holidays).year, max(_cc.holidays).year + 1)


def package_knows(year: int) -> bool:
    return year in PACKAGE_YEARS


@dataclass
class WorkCalendar:
    """Answers working-day questions for one org; entered years take precedence over the package."""

    days: dict[date, str] = field(default_factory=dict)  # day -> "holiday" | "workday"
    entered_years: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, session: Session, org_id: int) -> WorkCalendar:
        from annual.registers.models import HolidayDay, HolidayYear

        years = set(session.exec(select(HolidayYear.year).where(HolidayYear.org_id == org_id)).all())
        rows = session.exec(select(HolidayDay.day, HolidayDay.kind).where(HolidayDay.org_id == org_id)).all()
        return cls(days={d: k for d, k in rows}, entered_years=years)

    def known(self, year: int) -> bool:
        return year in self.entered_years or package_knows(year)

    def is_workday(self, day: date) -> bool:
        if day.year in self.entered_years:
            kind = self.days.get(day)
            if kind is not None:
                return kind == "workday"
            return day.weekday() < 5
        if package_knows(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5  # unknown year: weekends only (暂定)

    def add_workdays(self, start: date, n: int) -> tuple[date, bool]:
        """The n-th working day after `start` (start itself not counted); (day, provisional)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day, counted, provisional = start, 0, False
        while counted < n:
            day += timedelta(days=1)
            if not self.known(day.year):
                provisional = True
            if self.is_workday(day):
                counted += 1
        return day, provisional

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.workdays_between(end, start)
        return sum(1 for i in range(1, (end - start).days + 1) if self.is_workday(start + timedelta(days=i)))


_DAY = r"\d{4}-\d{1,2}-\d{1,2}"


def parse_days(spec: str) -> list[date]:
    """'2027-01-01,2027-02-05..2027-02-11' (also ～ or ~ for ranges, 、 ; or whitespace between)."""
    out: list[date] = []
    for part in filter(None, re.split(r"[,，;；、\s]+", spec.strip())):
        m = re.fullmatch(rf"({_DAY})(?:(?:\.\.|~|～)({_DAY}))?", part)
        if not m:
            raise Invalid("bad_date", f"无法识别的日期：{part}（格式 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD）")
        try:
            first = date.fromisoformat(_pad(m.group(1)))
            last = date.fromisoformat(_pad(m.group(2))) if m.group(2) else first
        except ValueError as exc:
            raise Invalid("bad_date", f"无效日期：{part}") from exc
        if last < first or (last - first).days > 31:
            raise Invalid("bad_date", f"日期区间无效：{part}")
        out.extend(first + timedelta(days=i) for i in range((last - first).days + 1))
    return out


def _pad(text: str) -> str:
    y, m, d = text.split("-")
    return f"{y}-{int(m):02d}-{int(d):02d}"
