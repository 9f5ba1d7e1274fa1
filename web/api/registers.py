"""Registers API: applications, interactions, appeals, table 二 figures, report texts, holiday years.

Reading needs any signed-in user of the org; writing needs the admin (政务公开专员).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from annual.registers import applications as apps
from annual.registers import store
from annual.registers.codes import APPLICANT_TYPES, RECEIPT_CHANNELS, RESULT_CODES, label_of
from annual.registers.holidays import holiday_years, missing_years, set_holiday_year
from annual.registers.models import AppealCase, DisclosureApplication, Interaction
from annual.workdays import WorkCalendar, parse_days
from web.api.auth import AdminDep, CurrentUserDep
from web.deps import SessionDep

router = APIRouter(prefix="/registers", tags=["registers"])


class ApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: str | None = None
    channel: str | None = Field(default=None, description="、".join(RECEIPT_CHANNELS))
    submitted_on: date | None = None
    received_on: date | None = None
    applicant_type: str | None = Field(default=None, description="、".join(APPLICANT_TYPES))
    applicant_name: str | None = None
    request: str | None = None
    correction_asked_on: date | None = None
    correction_received_on: date | None = None
    extension_days: int | None = None
    consultation_days: int | None = None
    replied_on: date | None = None
    result: str | None = Field(default=None, description="办理结果代码，见 docs/tally-schema.md")
    withheld_reasons: list[str] | None = None
    handler_id: int | None = None
    note: str | None = None


def application_out(application: DisclosureApplication, cal: WorkCalendar) -> dict[str, Any]:
    out = application.model_dump(exclude={"reminded_5_on", "reminded_1_on"})
    out.update(
        channel_label=label_of(RECEIPT_CHANNELS, application.channel),
        applicant_type_label=label_of(APPLICANT_TYPES, application.applicant_type),
        result_label=label_of(RESULT_CODES, application.result) if application.result else None,
        due_label=(f"{application.due_on}{'（暂定）' if application.due_provisional else ''}" if application.due_on else "待补正"),
        flags=apps.flags(cal, application),
    )
    return out


@router.get("/applications")
def list_applications(user: CurrentUserDep, session: SessionDep, year: int | None = None, open_only: bool = False,
                      limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    cal = WorkCalendar.load(session, user.org_id)
    rows = apps.list_applications(session, org_id=user.org_id, year=year, open_only=open_only,
                                  limit=min(max(limit, 1), 500), offset=max(offset, 0))
    return [application_out(a, cal) for a in rows]


@router.post("/applications", status_code=201)
def create_application(body: ApplicationIn, admin: AdminDep, session: SessionDep) -> dict[str, Any]:
    application = apps.create_application(session, org_id=admin.org_id, actor=admin, data=body.model_dump(exclude_unset=True))
    session.commit()
    return application_out(application, WorkCalendar.load(session, admin.org_id))


@router.get("/applications/{app_id}")
def get_application(app_id: int, user: CurrentUserDep, session: SessionDep) -> dict[str, Any]:
    application = apps.get_application(session, org_id=user.org_id, app_id=app_id)
    return application_out(application, WorkCalendar.load(session, user.org_id))


@router.patch("/applications/{app_id}")
def update_application(app_id: int, body: ApplicationIn, admin: AdminDep, session: SessionDep) -> dict[str, Any]:
    application = apps.update_application(session, org_id=admin.org_id, actor=admin, app_id=app_id,
                                  changes=body.model_dump(exclude_unset=True))
    session.commit()
    return application_out(application, WorkCalendar.load(session, admin.org_id))


class InteractionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str
    title: str
    starts_on: date
    ends_on: date | None = None
    participants: int = 0
    suggestions: int = 0


@router.get("/interactions")
def list_interactions(user: CurrentUserDep, session: SessionDep) -> list[Interaction]:
    return store.list_rows(session, Interaction, org_id=user.org_id)


@router.post("/interactions", status_code=201)
def create_interaction(body: InteractionIn, admin: AdminDep, session: SessionDep) -> Interaction:
    row = store.create_interaction(session, org_id=admin.org_id, actor=admin, data=body.model_dump())
    session.commit()
    return row


class InteractionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str | None = None
    title: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    participants: int | None = None
    suggestions: int | None = None


@router.patch("/interactions/{row_id}")
def update_interaction(row_id: int, body: InteractionPatch, admin: AdminDep, session: SessionDep) -> Interaction:
    row = store.update_interaction(session, org_id=admin.org_id, actor=admin, row_id=row_id,
                                   changes=body.model_dump(exclude_unset=True))
    session.commit()
    return row


@router.delete("/interactions/{row_id}", status_code=204)
def delete_interaction(row_id: int, admin: AdminDep, session: SessionDep) -> Response:
    store.delete_interaction(session, org_id=admin.org_id, actor=admin, row_id=row_id)
    session.commit()
    return Response(status_code=204)


class AppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str
    case_no: str = ""
    filed_on: date
    outcome: str = "pending"
    decided_on: date | None = None
    application_id: int | None = None
    note: str = ""


@router.get("/appeals")
def list_appeals(user: CurrentUserDep, session: SessionDep) -> list[AppealCase]:
    return store.list_rows(session, AppealCase, org_id=user.org_id)


@router.post("/appeals", status_code=201)
def create_appeal(body: AppealIn, admin: AdminDep, session: SessionDep) -> AppealCase:
    if body.application_id is not None:
        apps.get_application(session, org_id=admin.org_id, app_id=body.application_id)
    row = store.create_appeal(session, org_id=admin.org_id, actor=admin, data=body.model_dump())
    session.commit()
    return row


class AppealPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str | None = None
    case_no: str | None = None
    filed_on: date | None = None
    outcome: str | None = None
    decided_on: date | None = None
    application_id: int | None = None
    note: str | None = None


@router.patch("/appeals/{row_id}")
def update_appeal(row_id: int, body: AppealPatch, admin: AdminDep, session: SessionDep) -> AppealCase:
    row = store.update_appeal(session, org_id=admin.org_id, actor=admin, row_id=row_id,
                              changes=body.model_dump(exclude_unset=True))
    session.commit()
    return row


@router.delete("/appeals/{row_id}", status_code=204)
def delete_appeal(row_id: int, admin: AdminDep, session: SessionDep) -> Response:
    store.delete_appeal(session, org_id=admin.org_id, actor=admin, row_id=row_id)
    session.commit()
    return Response(status_code=204)


class FiguresIn(BaseModel):
    figures: dict[str, float | None]


@router.get("/figures/{year}")
def get_figures(year: int, user: CurrentUserDep, session: SessionDep) -> dict[str, Any]:
    return store.get_annual_figures(session, org_id=user.org_id, year=year)


@router.put("/figures/{year}")
def put_figures(year: int, body: FiguresIn, admin: AdminDep, session: SessionDep) -> dict[str, Any]:
    row = store.set_annual_figures(session, org_id=admin.org_id, year=year, actor=admin, figures=body.figures)
    session.commit()
    return row.figures


class ReportTextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    layout: str | None = None
    overview: str | None = None
    problems: str | None = None
    other: str | None = None


@router.get("/report-text/{year}")
def get_report_text(year: int, user: CurrentUserDep, session: SessionDep) -> dict[str, Any]:
    row = store.get_report_text(session, org_id=user.org_id, year=year)
    return row.model_dump(exclude={"draft"}) if row else {"year": year, "layout": "2021", "overview": "",
                                                          "problems": "", "other": ""}


@router.put("/report-text/{year}")
def put_report_text(year: int, body: ReportTextIn, admin: AdminDep, session: SessionDep) -> dict[str, Any]:
    row = store.set_report_text(session, org_id=admin.org_id, year=year, actor=admin,
                                data=body.model_dump(exclude_unset=True))
    session.commit()
    return row.model_dump(exclude={"draft"})


class HolidayYearIn(BaseModel):
    holidays: str = Field(description="放假日期，如 2027-01-01,2027-02-05..2027-02-11")
    workdays: str = Field(default="", description="调休上班日期")
    source: str = ""


@router.get("/holidays")
def list_holidays(user: CurrentUserDep, session: SessionDep) -> dict[str, Any]:
    return {"years": holiday_years(session, org_id=user.org_id),
            "missing_years": missing_years(session, org_id=user.org_id)}


@router.put("/holidays/{year}")
def put_holidays(year: int, body: HolidayYearIn, admin: AdminDep, session: SessionDep) -> dict[str, Any]:
    changed = set_holiday_year(session, org_id=admin.org_id, year=year, holidays=parse_days(body.holidays),
                               workdays=parse_days(body.workdays), source=body.source, actor=admin)
    session.commit()
    return {"year": year, "due_dates_changed": changed}
