"""Tallies and annual reports over the API: `GET /tally/{year}`, `GET /reports/{year}`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from annual.report import render
from annual.report.build import build_report
from annual.report.docx_render import content_disposition
from annual.tally import tally
from annual.workdays import MAX_YEAR, MIN_YEAR
from content.errors import Conflict, Invalid
from web.api.auth import CurrentUserDep
from web.deps import SessionDep

router = APIRouter(tags=["reports"])

MEDIA_TYPES = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Invalid("year_out_of_range", f"年份须在 {MIN_YEAR}–{MAX_YEAR} 之间：{year}")
    return year


@router.get("/tally/{year}")
def get_tally(year: int, user: CurrentUserDep, session: SessionDep) -> dict[str, Any]:
    return tally(session, org_id=user.org_id, year=_year(year))


@router.get("/reports/{year}")
def get_report(year: int, user: CurrentUserDep, session: SessionDep,
               layout: str | None = Query(None, pattern="^(2021|2019)$"),
               format: str = Query("json", pattern="^(json|html|md|docx)$"),
               strict: bool = False) -> Response:
    report = build_report(session, org_id=user.org_id, year=_year(year), layout=layout)
    if strict and report["errors"]:
        raise Conflict("report_inconsistent", f"报告有 {len(report['errors'])} 处勾稽关系错误",
                       errors=report["errors"])
    headers = {}
    if format == "docx":
        headers["Content-Disposition"] = content_disposition(report, "docx")
    return Response(render(report, format), media_type=MEDIA_TYPES[format], headers=headers)
