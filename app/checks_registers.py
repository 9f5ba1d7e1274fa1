"""check-config: holiday years that stored due dates run into but nobody has entered yet."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from annual.workdays import PACKAGE_YEARS
from app.checks_registry import CheckResult, config_check
from content.db.db import make_engine
from content.settings import Settings
from content.timeutil import local_today


@config_check
def holiday_years(settings: Settings) -> CheckResult:
    """节假日安排"""
    from annual.registers.holidays import missing_years
    from annual.registers.models import HolidayYear
    from content.models import Organization

    name = "节假日安排"
    try:
        engine = make_engine(settings.database_url)
        with Session(engine) as s:
            missing: set[int] = set()
            entered: set[int] = set()
            for org_id in s.exec(select(Organization.id)).all():
                missing.update(missing_years(s, org_id=org_id))
            entered.update(s.exec(select(HolidayYear.year)).all())
        engine.dispose()
    except SQLAlchemyError:
        return CheckResult.warn(name, "无法读取节假日安排（数据库未初始化？）")
    if missing:
        years = "、".join(map(str, sorted(missing)))
        return CheckResult.warn(name, f"缺少 {years} 年的节假日安排，相关答复期限为暂定；"
                                      f"请用 gongkai holidays add {min(missing)} 录入国务院办公厅通知")
    next_year = local_today().year + 1
    if next_year not in PACKAGE_YEARS and next_year not in entered:
        return CheckResult.warn(name, f"{next_year} 年节假日安排尚未录入（chinese_calendar 收录到 {PACKAGE_YEARS.stop - 1} 年）")
    return CheckResult.ok(name, f"chinese_calendar 收录到 {PACKAGE_YEARS.stop - 1} 年，录入年份：" +
                          ("、".join(map(str, sorted(entered))) or "无"))
