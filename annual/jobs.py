"""Register jobs: application deadline reminders and the year-end report draft.

Both write rows only (Notification, ReportText.draft); the bot delivers the notifications. They are
safe in several scheduler processes at once: a reminder is claimed with a compare-and-set UPDATE on
the application's `reminded_*_on` column, so it is written exactly once.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from annual.registers.models import DisclosureApplication, ReportText
from annual.report.build import build_report
from annual.workdays import WorkCalendar
from content.models import Organization, User, UserRole
from content.models.ids import pk
from content.models.notification import NotificationKind
from content.notify import notify_users
from content.timeutil import local_today, utcnow

log = logging.getLogger("gongkai.scheduler.registers")

REMINDER_DAYS = (5, 1)  # working days before the due date
WINDOW = timedelta(days=30)  # calendar days that surely contain 5 working days, even around 春节


def _recipients(session: Session, application: DisclosureApplication) -> list[int]:
    if application.handler_id:
        return [application.handler_id]
    return list(session.exec(select(User.id).join(UserRole, UserRole.user_id == User.id).where(
        User.org_id == application.org_id, User.active.is_(True), UserRole.role == "admin")).all())


def remind_application_deadlines(engine: Engine, today: date | None = None) -> int:
    """Write `application.deadline` notifications 5 and 1 working days before each due date.

    A scheduler that was down catches up: a missed 5-day reminder is sent as long as the due date has
    not passed; an application already inside 1 working day gets only the 1-day reminder.
    """
    today = today or local_today()
    sent = 0
    with Session(engine, expire_on_commit=False) as session:
        candidates = session.exec(select(DisclosureApplication).where(
            DisclosureApplication.replied_on.is_(None), DisclosureApplication.due_on.is_not(None),
            DisclosureApplication.due_on >= today, DisclosureApplication.due_on <= today + WINDOW,
            (DisclosureApplication.reminded_5_on.is_(None)) | (DisclosureApplication.reminded_1_on.is_(None)),
        )).all()
        calendars: dict[int, WorkCalendar] = {}
        for application in candidates:
            cal = calendars.setdefault(application.org_id, WorkCalendar.load(session, application.org_id))
            left = cal.workdays_between(today, application.due_on)
            if left <= 1 and application.reminded_1_on is None:
                if _claim(session, application, "reminded_1_on", today):
                    _notify(session, application, left, today)
                    sent += 1
                if application.reminded_5_on is None:  # superseded: the 1-day reminder says it all
                    _claim(session, application, "reminded_5_on", today)
            elif 1 < left <= 5 and application.reminded_5_on is None and _claim(session, application, "reminded_5_on", today):
                _notify(session, application, left, today)
                sent += 1
            session.commit()
    if sent:
        log.info("deadline reminders: %d", sent)
    return sent


def _claim(session: Session, application: DisclosureApplication, column: str, today: date) -> bool:
    col = getattr(DisclosureApplication, column)
    stmt = update(DisclosureApplication).where(DisclosureApplication.id == application.id, col.is_(None)).values({column: today})
    return session.exec(stmt).rowcount == 1


def _notify(session: Session, application: DisclosureApplication, left: int, today: date) -> None:
    when = "今天" if left == 0 else f"还有 {left} 个工作日"
    label = f"依申请公开 {application.number or '#' + str(application.id)}"
    message = (f"{label} 距答复期限{when}（{application.due_on}{'，暂定' if application.due_provisional else ''}），请及时答复。"
               if left else f"{label} 今天（{application.due_on}）到期，请及时答复。")
    notify_users(session, org_id=application.org_id, user_ids=_recipients(session, application),
                 kind=NotificationKind.APPLICATION_DEADLINE, application_id=application.id, number=application.number,
                 due_on=str(application.due_on), days_left=left, provisional=application.due_provisional, title=label,
                 message=message, on=str(today))


def draft_annual_reports(engine: Engine, today: date | None = None) -> int:
    """On 1 January: build last year's report for every org, keep it as the draft, tell the admins."""
    year = (today or local_today()).year - 1
    count = 0
    with Session(engine, expire_on_commit=False) as session:
        for org in session.exec(select(Organization)).all():
            text = session.exec(select(ReportText).where(ReportText.org_id == org.id, ReportText.year == year)).first()
            text = text or ReportText(org_id=org.id, year=year)
            report = build_report(session, org_id=org.id, year=year, layout=text.layout)
            report.pop("figures", None)  # the tally is recomputed on demand; keep the draft small
            text.draft, text.draft_generated_at = report, utcnow()
            session.add(text)
            admins = session.exec(select(User.id).join(UserRole, UserRole.user_id == User.id).where(
                User.org_id == org.id, User.active.is_(True), UserRole.role == "admin")).all()
            errors = f"，有 {len(report['errors'])} 处勾稽关系错误待核对" if report["errors"] else ""
            notify_users(session, org_id=pk(org), user_ids=[uid for uid in admins if uid is not None], kind=NotificationKind.REPORT_DRAFT, year=year,
                         title=report["title"], errors=len(report["errors"]),
                         message=f"{year} 年政府信息公开工作年度报告草稿已生成{errors}。")
            session.commit()
            count += 1
    return count


def remind_deadlines(ctx) -> None:
    """Scheduler entry point (JobContext)."""
    remind_application_deadlines(ctx.engine)


def draft_report(ctx) -> None:
    """Scheduler entry point (JobContext), cron 1 January."""
    draft_annual_reports(ctx.engine)
