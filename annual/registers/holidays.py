"""Admin-entered holiday years (for years `chinese_calendar` does not know yet).

Entering a year replaces that year's entries and recomputes the stored due dates it affects, in the
same transaction, with an audit event.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, delete, select

from annual.registers.applications import recompute_due_dates
from annual.registers.models import DisclosureApplication, HolidayDay, HolidayYear
from annual.workdays import MAX_YEAR, MIN_YEAR, WorkCalendar, package_knows
from content import audit
from content.errors import Invalid
from content.models import User


def set_holiday_year(session: Session, *, org_id: int, year: int, holidays: list[date], workdays: list[date],
                     source: str = "", actor: User | None = None, names: dict[date, str] | None = None) -> int:
    """Store the arrangement of `year`; returns the number of due dates that changed."""
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise Invalid("year_out_of_range", f"年份须在 {MIN_YEAR}–{MAX_YEAR} 之间：{year}")
    both = sorted(set(holidays) & set(workdays))
    if both:
        raise Invalid("holiday_contradiction",
                      f"同一天不能既是节假日又是调休上班日：{'、'.join(map(str, both))}")
    outside = sorted(d for d in [*holidays, *workdays] if d.year != year)
    if outside:
        raise Invalid("holiday_wrong_year", f"日期不属于 {year} 年：{'、'.join(map(str, outside))}")
    weekday_workdays = sorted(d for d in workdays if d.weekday() < 5)
    if weekday_workdays:
        raise Invalid("workday_not_weekend",
                      f"调休上班日应为周末：{'、'.join(map(str, weekday_workdays))}")
    if not holidays:
        raise Invalid("no_holidays", f"请至少填写 {year} 年的一个法定节假日")
    names = names or {}
    existing = session.exec(select(HolidayYear).where(HolidayYear.org_id == org_id, HolidayYear.year == year)).first()
    session.exec(delete(HolidayDay).where(HolidayDay.org_id == org_id, HolidayDay.year == year))
    if existing is None:
        existing = HolidayYear(org_id=org_id, year=year)
        session.add(existing)
    existing.source = source[:300]
    existing.entered_by = actor.id if actor else None
    for day in sorted(set(holidays)):
        session.add(HolidayDay(org_id=org_id, year=year, day=day, kind="holiday", name=names.get(day, "")))
    for day in sorted(set(workdays)):
        session.add(HolidayDay(org_id=org_id, year=year, day=day, kind="workday", name=names.get(day, "")))
    session.flush()
    changed = recompute_due_dates(session, org_id=org_id, cal=WorkCalendar.load(session, org_id), from_year=year)
    audit.record(session, org_id=org_id, action="holidays.set", target_type="holiday_year", target_id=existing.id,
                 actor=actor, year=year, holidays=len(set(holidays)), workdays=len(set(workdays)),
                 due_dates_changed=changed)
    return changed


def holiday_years(session: Session, *, org_id: int) -> list[dict]:
    """Every entered year with its days, plus the package's range."""
    out = []
    for hy in session.exec(select(HolidayYear).where(HolidayYear.org_id == org_id).order_by(HolidayYear.year)):
        days = session.exec(select(HolidayDay).where(HolidayDay.org_id == org_id, HolidayDay.year == hy.year)
                            .order_by(HolidayDay.day)).all()
        out.append({"year": hy.year, "source": hy.source,
                    "holidays": [str(d.day) for d in days if d.kind == "holiday"],
                    "workdays": [str(d.day) for d in days if d.kind == "workday"],
                    "package_knows": package_knows(hy.year)})
    return out


def missing_years(session: Session, *, org_id: int) -> list[int]:
    """Years whose holidays nobody knows yet but which a stored due date runs into (for check-config)."""
    rows = session.exec(select(DisclosureApplication.due_on).where(
        DisclosureApplication.org_id == org_id, DisclosureApplication.due_provisional.is_(True))).all()
    cal = WorkCalendar.load(session, org_id)
    return sorted({d.year for d in rows if d and not cal.known(d.year)})
