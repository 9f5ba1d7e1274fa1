"""节假日安排: the admin enters a year's holidays and 调休 working days from the State Council notice.

`chinese_calendar` knows only announced years; until a later year is entered, due dates in it are
counted on weekends only and marked 暂定. Entering it (annual.registers.holidays) recomputes them.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from annual.registers.holidays import holiday_years, missing_years, set_holiday_year
from annual.registers.validate import year_in_range
from annual.workdays import MAX_YEAR, MIN_YEAR, PACKAGE_YEARS, parse_days
from content.errors import DomainError
from web.deps import SessionDep
from web.pages.session import AdminUserDep, WebUserDep, read_form
from web.pages.templating import render

router = APIRouter()


def _page(request: Request, session, org_id: int, *, typed: dict | None = None, errors: dict | None = None,
          status: int = 200, done: str = ""):
    missing = missing_years(session, org_id=org_id)
    return render(request, "registers/holidays.html", {
        "years": holiday_years(session, org_id=org_id), "missing_years": missing,
        "package_first": PACKAGE_YEARS.start, "package_last": PACKAGE_YEARS.stop - 1,
        "min_year": MIN_YEAR, "max_year": MAX_YEAR,
        "t": typed or {"year": str(missing[0]) if missing else "", "holidays": "", "workdays": "", "source": ""},
        "errors": errors or {}, "done": done,
    }, status=status)  # fmt: skip


@router.get("/registers/holidays", name="web_holidays")
def holidays_page(request: Request, session: SessionDep, user: WebUserDep, done: str = "", changed: str = ""):
    message = ""
    if done.isdigit():
        message = f"已保存 {done} 年的节假日安排" + (f"，{changed} 个截止日期已重新计算" if changed.isdigit() else "") + "。"
    return _page(request, session, user.org_id, done=message)


@router.post("/registers/holidays")
async def holidays_save(request: Request, session: SessionDep, admin: AdminUserDep):
    form = await read_form(request)
    typed = {k: str(form.get(k) or "").strip() for k in ("year", "holidays", "workdays", "source")}
    errors: dict[str, str] = {}
    parsed: dict = {}
    for key, parse in (("year", year_in_range), ("holidays", parse_days), ("workdays", parse_days)):
        try:
            parsed[key] = parse(typed[key])
        except DomainError as exc:
            errors[key] = exc.message
    if not typed["year"]:
        errors["year"] = "请填写年份"
    if errors:
        return _page(request, session, admin.org_id, typed=typed, errors=errors, status=422)
    try:
        changed = set_holiday_year(session, org_id=admin.org_id, year=parsed["year"], holidays=parsed["holidays"],
                                   workdays=parsed["workdays"], source=typed["source"], actor=admin)
        session.commit()
    except DomainError as exc:
        session.rollback()
        if exc.status in (403, 404):
            raise
        field = {"year_out_of_range": "year", "workday_not_weekend": "workdays"}.get(exc.code, "holidays")
        return _page(request, session, admin.org_id, typed=typed, errors={field: exc.message}, status=exc.status)
    return RedirectResponse(f"/registers/holidays?done={parsed['year']}&changed={changed}", status_code=303)

