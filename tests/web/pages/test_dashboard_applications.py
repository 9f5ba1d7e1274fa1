"""The admin dashboard lists applications that are due soon or overdue, each linking to its page."""

from __future__ import annotations

from sqlmodel import Session

from annual.registers.applications import create_application
from content.timeutil import local_today


def test_admin_dashboard_lists_an_overdue_application_with_its_link(client_for, engine, world):
    with Session(engine) as s:
        application = create_application(s, org_id=world.org_id, actor=None, data={
            "number": "YSQ-DUE-01", "channel": "online", "received_on": local_today().replace(day=1).isoformat(),
            "applicant_type": "natural", "applicant_name": "李四"})  # fmt: skip
        s.commit()
        application.due_on = local_today()
        s.add(application)
        s.commit()
        application_id = application.id
    html = client_for("admin").page("/").text
    assert f'<a href="/registers/applications/{application_id}">YSQ-DUE-01</a>' in html
    assert "李四" in html
