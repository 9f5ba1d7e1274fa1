"""年度报告: the annual report of one year in the browser, its consistency check, downloads, and the
admin's edits (narrative of sections 一/五/六 in `ReportText`, table 二 figures in `AnnualFigures`).

Everything shown comes from `annual.report.build.build_report` and `annual.report.render`, so the page,
the downloads, the CLI and the JSON API agree figure for figure.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from annual.registers.store import get_annual_figures, get_report_text, set_annual_figures, set_report_text
from annual.report import render as render_report
from annual.report.build import build_report, placeholders
from annual.report.docx_render import content_disposition
from annual.report.grid import fmt_value, occupancy
from annual.report.layouts import LAYOUTS, T2_SIGNED_CODES, get_layout
from annual.workdays import MAX_YEAR, MIN_YEAR
from content.errors import DomainError
from content.timeutil import local_today
from web.api.reports import MEDIA_TYPES
from web.deps import SessionDep
from web.pages.session import AdminUserDep, WebUserDep, read_form, roles
from web.pages.templating import render

router = APIRouter()
TEXT_FIELDS = (("overview", "一、总体情况（补充说明）"), ("problems", "五、存在的主要问题及改进情况"),
               ("other", "六、其他需要报告的事项"))  # fmt: skip
TEXT_MAX = 20000
FORMAT_LABELS = {"docx": "Word（DOCX）", "html": "网页（HTML）", "md": "Markdown", "json": "JSON 数据"}


def _year_error(raw: str) -> str | None:
    if not raw.strip().isdigit() or not MIN_YEAR <= int(raw) <= MAX_YEAR:
        return f"请填写 {MIN_YEAR}–{MAX_YEAR} 之间的年份"
    return None


def _layout(request: Request) -> str | None:
    value = request.query_params.get("layout", "")
    return value if value in LAYOUTS else None


@router.get("/reports", name="web_reports")
def reports_index(request: Request, user: WebUserDep, year: str = ""):
    if year:
        error = _year_error(year)
        if error is None:
            return RedirectResponse(f"/reports/{int(year)}", status_code=303)
        return _index(request, errors={"year": error}, typed=year, status=422)
    return _index(request)


def _index(request: Request, *, errors: dict | None = None, typed: str = "", status: int = 200):
    this_year = local_today().year
    return render(request, "reports/index.html", {
        "years": list(range(this_year, this_year - 6, -1)), "default_year": this_year - 1,
        "errors": errors or {}, "typed_year": typed, "min_year": MIN_YEAR, "max_year": MAX_YEAR,
    }, status=status)  # fmt: skip


def _parse_year(request: Request, raw: str) -> tuple[int, None] | tuple[None, Response]:
    """(year, None), or (None, the picker page with the error) for a path year that is no sane year."""
    error = _year_error(raw)
    if error:
        return None, _index(request, errors={"year": error}, typed=raw[:10], status=404)
    return int(raw), None


def _t2_form(layout_name: str, cells: dict, entered: dict) -> list[dict]:
    """Table 二 of the layout as form rows: the entered value (editable) beside the figure reported."""
    out = []
    for table in get_layout(layout_name).t2:
        rows = [{"label": path[-1], "cells": [
            {"code": table.cell(r, c), "entered": fmt_value(entered.get(table.cell(r, c))),
             "shown": fmt_value(cells.get(table.cell(r, c))), "signed": table.cell(r, c) in T2_SIGNED_CODES}
            for c, _ in table.columns]} for r, path in table.rows]  # fmt: skip
        out.append({"caption": table.caption, "columns": [path[-1] for _, path in table.columns], "rows": rows})
    return out


def _page(request: Request, session, user, year: int, *, errors: dict | None = None,
          typed: dict | None = None, message: str | None = None, status: int = 200):
    layout = _layout(request)
    report = build_report(session, org_id=user.org_id, year=year, layout=layout)
    text = get_report_text(session, org_id=user.org_id, year=year)
    entered = get_annual_figures(session, org_id=user.org_id, year=year)
    tables = {t["id"]: {**t, "lines": occupancy(t["grid"])} for t in report["tables"]}
    typed = typed or {}
    text_values = {key: typed.get(key, getattr(text, key) if text else "") for key, _ in TEXT_FIELDS}
    return render(request, "reports/report.html", {
        "year": year, "report": report, "tables": tables, "layouts": LAYOUTS,
        "layout_qs": f"?layout={report['layout']}", "stored_layout": text.layout if text else "2021",
        "bad_cells": {e["cell"]: e["message"] for e in report["errors"]},
        "warn_cells": {w["cell"]: w["message"] for w in report["warnings"]},
        "is_admin": "admin" in roles(request), "text_fields": TEXT_FIELDS, "text_values": text_values,
        "text_max": TEXT_MAX, "placeholders": placeholders(report["figures"]),
        "t2_form": _t2_form(report["layout"], report["cells"], {**entered, **typed.get("figures", {})}),
        "formats": FORMAT_LABELS,
        "errors": errors or {}, "message": message, "done": request.query_params.get("done"),
        "min_year": MIN_YEAR, "max_year": MAX_YEAR,
    }, status=status)  # fmt: skip


@router.get("/reports/{year}", name="web_report")
def report_page(request: Request, year: str, session: SessionDep, user: WebUserDep):
    number, bad = _parse_year(request, year)
    return bad or _page(request, session, user, number)


@router.get("/reports/{year}/download/{fmt}", name="web_report_download")
def download(request: Request, year: str, fmt: str, session: SessionDep, user: WebUserDep):
    number, bad = _parse_year(request, year)
    return bad or _download(request, session, user, number, fmt)


def _download(request: Request, session, user, year: int, fmt: str) -> Response:
    if fmt not in MEDIA_TYPES:
        raise DomainError("unknown_format", f"未知的下载格式：{fmt}（可选：docx、html、md、json）", status=404)
    report = build_report(session, org_id=user.org_id, year=year, layout=_layout(request))
    return Response(render_report(report, fmt), media_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": content_disposition(report, fmt)})


def _done(request: Request, year: int, what: str) -> RedirectResponse:
    layout = _layout(request)
    return RedirectResponse(f"/reports/{year}?{f'layout={layout}&' if layout else ''}done={what}", status_code=303)


@router.post("/reports/{year}/text")
async def save_text(request: Request, year: str, session: SessionDep, admin: AdminUserDep):
    form = await read_form(request)
    number, bad = _parse_year(request, year)
    return bad or _save_text(request, session, admin, number, form)


def _save_text(request: Request, session, admin, year: int, form):
    data = {key: str(form.get(key) or "") for key, _ in TEXT_FIELDS}
    errors = {f"text_{key}": f"{label}不能超过 {TEXT_MAX} 字" for key, label in TEXT_FIELDS
              if len(data[key].strip()) > TEXT_MAX}  # fmt: skip
    layout = str(form.get("layout") or "")
    if layout:
        if layout in LAYOUTS:
            data["layout"] = layout
        else:
            errors["text_layout"] = "请选择 2021 或 2019 格式"
    if errors:
        return _page(request, session, admin, year, errors=errors, typed=data, status=422)
    try:
        set_report_text(session, org_id=admin.org_id, year=year, actor=admin, data=data)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _page(request, session, admin, year, errors={"text": exc.message}, typed=data, status=exc.status)
    return _done(request, year, "text")


@router.post("/reports/{year}/figures")
async def save_figures(request: Request, year: str, session: SessionDep, admin: AdminUserDep):
    form = await read_form(request)
    number, bad = _parse_year(request, year)
    return bad or _save_figures(request, session, admin, number, form)


def _save_figures(request: Request, session, admin, year: int, form):
    layout = get_layout(_layout(request) or _stored_layout(session, admin.org_id, year))
    codes = [code for table in layout.t2 for code in table.cells()]
    typed = {code: str(form.get(code) or "").strip() for code in codes}
    errors, figures = {}, {}
    for code, raw in typed.items():
        if not raw:
            figures[code] = None  # a cleared box removes the entry (derived figures apply again)
            continue
        try:
            number = float(raw.replace(",", ""))
        except ValueError:
            errors[f"fig_{code}"] = "请填写数字"
            continue
        if number < 0 and code not in T2_SIGNED_CODES:
            errors[f"fig_{code}"] = "不能为负数"
            continue
        figures[code] = number
    if errors:
        return _page(request, session, admin, year, errors={**errors, "figures": "表二数据有误，请按提示修改"},
                     typed={"figures": typed}, status=422)
    try:
        set_annual_figures(session, org_id=admin.org_id, year=year, actor=admin, figures=figures)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _page(request, session, admin, year, errors={"figures": exc.message}, typed={"figures": typed},
                     status=exc.status)
    return _done(request, year, "figures")


def _stored_layout(session, org_id: int, year: int) -> str:
    text = get_report_text(session, org_id=org_id, year=year)
    return text.layout if text else "2021"
