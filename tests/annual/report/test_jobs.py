"""Deadline reminders 5 and 1 working days ahead (once each), and the 1 January report draft."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from annual.jobs import draft_annual_reports, remind_application_deadlines
from annual.registers.applications import create_application
from annual.registers.models import ReportText
from content.models import Notification


def _notes(engine, kind="application.deadline"):
    with Session(engine) as s:
        return s.exec(select(Notification).where(Notification.kind == kind).order_by(Notification.id)).all()


def test_reminders_five_and_one_working_days_before(engine, world):
    with Session(engine) as s:
        # received 2025-09-26, due 2025-10-30 (National Day: 1–8 Oct off, 28 Sep and 11 Oct worked)
        application = create_application(s, org_id=world.org_id, actor=None, data={
            "channel": "online", "received_on": "2025-09-26", "applicant_type": "natural", "handler_id": world.drafter,
            "number": "2025-007"})
        s.commit()
        assert application.due_on == date(2025, 10, 30)
    assert remind_application_deadlines(engine, today=date(2025, 10, 22)) == 0  # 6 working days left
    assert remind_application_deadlines(engine, today=date(2025, 10, 23)) == 1  # 24, 27–30 Oct: 5 left
    assert remind_application_deadlines(engine, today=date(2025, 10, 24)) == 0  # already reminded
    assert remind_application_deadlines(engine, today=date(2025, 10, 29)) == 1  # 1 working day left
    assert remind_application_deadlines(engine, today=date(2025, 10, 30)) == 0
    notes = _notes(engine)
    assert [(n.user_id, n.data["days_left"]) for n in notes] == [(world.drafter, 5), (world.drafter, 1)]
    assert "2025-007" in notes[0].data["message"] and "5 个工作日" in notes[0].data["message"]


def test_missed_days_catch_up_and_answered_applications_are_quiet(engine, world):
    with Session(engine) as s:
        for received, replied in (("2025-09-26", None), ("2025-09-26", "2025-10-10")):
            create_application(s, org_id=world.org_id, actor=None, data={
                "channel": "online", "received_on": received, "applicant_type": "natural", "replied_on": replied,
                "result": "public" if replied else None})
        s.commit()
    # the scheduler was down until the last working day: one 1-day reminder to the admins, no 5-day one
    assert remind_application_deadlines(engine, today=date(2025, 10, 29)) == 1
    assert [n.user_id for n in _notes(engine)] == [world.admin]
    assert remind_application_deadlines(engine, today=date(2025, 10, 29)) == 0


def test_report_draft_on_first_of_january(engine, world):
    with Session(engine) as s:
        create_application(s, org_id=world.org_id, actor=None, data={
            "channel": "online", "received_on": "2025-12-01", "applicant_type": "legal"})
        s.commit()
    assert draft_annual_reports(engine, today=date(2026, 1, 1)) == 1
    with Session(engine) as s:
        text = s.exec(select(ReportText).where(ReportText.year == 2025)).one()
        assert text.draft["cells"]["t3.carried_out.legal"] == 1 and text.draft_generated_at is not None
    assert [n.user_id for n in _notes(engine, "report.draft")] == [world.admin]
