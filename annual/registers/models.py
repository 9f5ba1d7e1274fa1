"""Tables of the annual-report registers (依申请公开台账, 互动, 复议诉讼, 第二十条数据, 报告正文, 节假日)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from content.models.base import created_at_field, dt_field, json_field, org_fk


class HolidayYear(SQLModel, table=True):
    """A year whose holiday arrangement the admin entered from the State Council's notice."""

    __table_args__ = (UniqueConstraint("org_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    year: int
    source: str = Field(default="", max_length=300)  # e.g. 国办发明电〔2026〕X号
    entered_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = created_at_field()


class HolidayDay(SQLModel, table=True):
    """One day of an entered year: a statutory holiday (休) or a 调休 working day (班)."""

    __table_args__ = (UniqueConstraint("org_id", "day"), Index("ix_holidayday_org_year", "org_id", "year"))

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    year: int
    day: date
    kind: str = Field(max_length=10)  # holiday | workday
    name: str = Field(default="", max_length=50)


class Interaction(SQLModel, table=True):
    """网上调查问卷 / 民意征集 / 在线访谈."""

    __table_args__ = (Index("ix_interaction_org_start", "org_id", "starts_on"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    kind: str = Field(max_length=20)  # survey | solicitation | interview
    title: str = Field(max_length=200)
    starts_on: date
    ends_on: date | None = None
    participants: int = 0  # 人次
    suggestions: int = 0  # 条
    created_at: datetime = created_at_field()


class DisclosureApplication(SQLModel, table=True):
    """依申请公开台账: one application for government information."""

    __table_args__ = (
        Index("ix_application_org_received", "org_id", "received_on"),
        Index("ix_application_org_replied", "org_id", "replied_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    number: str = Field(default="", max_length=50)  # 申请编号
    channel: str = Field(max_length=20)  # in_person | post | post_plain | online | fax
    submitted_on: date | None = None  # the day the applicant sent or handed it in
    received_on: date  # 收到申请之日 per 条例 第31条 (see annual.registers.applications)
    applicant_type: str = Field(max_length=20)  # natural | commercial | research | social | legal | other
    applicant_name: str = Field(default="", max_length=200)
    request: str = Field(default="", sa_type=Text)
    correction_asked_on: date | None = None  # 补正告知日
    correction_received_on: date | None = None  # 收到补正之日 (the period restarts)
    extension_days: int = 0  # 延长答复期限 (working days, ≤ 20)
    consultation_days: int = 0  # 征求第三方意见 (working days, not counted)
    due_on: date | None = None  # None while waiting for the 补正
    due_provisional: bool = False  # 暂定: the period runs into a year whose holidays are unknown
    replied_on: date | None = None
    result: str | None = Field(default=None, max_length=30)  # a table 三 row code
    withheld_reasons: list = json_field(list)  # 部分公开: codes of the withheld part (never tallied)
    handler_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    note: str = Field(default="", sa_type=Text)
    reminded_5_on: date | None = None
    reminded_1_on: date | None = None
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class AppealCase(SQLModel, table=True):
    """行政复议 / 行政诉讼 about the office's disclosure decisions (table 四)."""

    __table_args__ = (Index("ix_appeal_org_filed", "org_id", "filed_on"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    kind: str = Field(max_length=20)  # reconsideration | litigation_direct | litigation_after
    case_no: str = Field(default="", max_length=100)
    filed_on: date
    outcome: str = Field(default="pending", max_length=20)  # upheld | corrected | other | pending
    decided_on: date | None = None
    application_id: int | None = Field(default=None, foreign_key="disclosureapplication.id")
    note: str = Field(default="", sa_type=Text)
    created_at: datetime = created_at_field()


class AnnualFigures(SQLModel, table=True):
    """第二十条 figures of table 二 that no register holds, keyed by stable cell codes."""

    __table_args__ = (UniqueConstraint("org_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    year: int
    figures: dict = json_field(dict)
    updated_at: datetime = created_at_field()


class ReportText(SQLModel, table=True):
    """Narrative of sections 一, 五, 六 (with {placeholders}) and the last generated draft."""

    __table_args__ = (UniqueConstraint("org_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    year: int
    layout: str = Field(default="2021", max_length=10)
    overview: str = Field(default="", sa_type=Text)  # section 一 narrative
    problems: str = Field(default="", sa_type=Text)  # section 五
    other: str = Field(default="", sa_type=Text)  # section 六
    draft: dict | None = Field(default=None, sa_type=JSON, nullable=True)
    draft_generated_at: datetime | None = dt_field()
    updated_at: datetime = created_at_field()
