"""依申请公开台账: create, update and list applications; compute their due dates.

Due date (条例 第30、31、32、33条): 20 working days after the day of receipt, or after the day the 补正
was received when one was asked for (the period restarts); plus an approved extension of at most 20
working days; third-party consultation time is not counted (added back, in working days). Counting
starts on the day after the start day. While a 补正 is awaited there is no due date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, select

from annual.registers.codes import APPLICANT_TYPES, DENY_CODES, RECEIPT_CHANNELS, RESULT_CODES
from annual.registers.models import DisclosureApplication
from annual.registers.validate import as_code, as_date, as_int, as_text, tag_field
from annual.workdays import WorkCalendar
from content import audit
from content.errors import Invalid, NotFound
from content.models import User
from content.timeutil import utcnow

REPLY_PERIOD = 20  # working days, 条例 第33条
MAX_EXTENSION = 20
CORRECTION_NOTICE = 7  # working days, 条例 第30条

FIELDS = (
    "number", "channel", "submitted_on", "received_on", "applicant_type", "applicant_name", "request",
    "correction_asked_on", "correction_received_on", "extension_days", "consultation_days", "replied_on",
    "result", "withheld_reasons", "handler_id", "note",
)  # fmt: skip


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise Invalid("unknown_field", f"未知字段：{'、'.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    converters = {
        "number": lambda v: as_text(v, "申请编号", 50),
        "channel": lambda v: as_code(v, RECEIPT_CHANNELS, "申请渠道"),
        "submitted_on": lambda v: as_date(v, "提交日期"),
        "received_on": lambda v: as_date(v, "收到申请日期", required=True),
        "applicant_type": lambda v: as_code(v, APPLICANT_TYPES, "申请人类型"),
        "applicant_name": lambda v: as_text(v, "申请人", 200),
        "request": lambda v: as_text(v, "申请内容", 5000),
        "correction_asked_on": lambda v: as_date(v, "补正告知日期"),
        "correction_received_on": lambda v: as_date(v, "收到补正日期"),
        "extension_days": lambda v: as_int(v, "延期工作日数", hi=MAX_EXTENSION),
        "consultation_days": lambda v: as_int(v, "征求第三方意见工作日数", hi=250),
        "replied_on": lambda v: as_date(v, "答复日期"),
        "result": lambda v: as_code(v, RESULT_CODES, "办理结果代码", required=False),
        "withheld_reasons": lambda v: [as_code(c, {k: RESULT_CODES[k] for k in DENY_CODES}, "部分公开的不公开理由")
                                       for c in (v or [])],
        "handler_id": lambda v: None if v in (None, "") else as_int(v, "承办人"),
        "note": lambda v: as_text(v, "备注", 5000),
    }
    for key, value in data.items():
        out[key] = tag_field(key, converters[key], value)
    return out


def _check(application: DisclosureApplication) -> None:
    """Cross-field rules; raises before anything is written."""
    if application.submitted_on and application.submitted_on > application.received_on:
        raise Invalid("receipt_before_submission", "收到申请日期不能早于提交日期", field="received_on")
    if application.correction_received_on and not application.correction_asked_on:
        raise Invalid("correction_not_asked", "未告知补正，不能填写收到补正日期", field="correction_received_on")
    if application.correction_asked_on and application.correction_asked_on < application.received_on:
        raise Invalid("correction_before_receipt", "补正告知日期不能早于收到申请日期", field="correction_asked_on")
    if application.correction_received_on and application.correction_received_on < application.correction_asked_on:
        raise Invalid("correction_order", "收到补正日期不能早于补正告知日期", field="correction_received_on")
    if application.replied_on and application.replied_on < application.received_on:
        raise Invalid("reply_before_receipt", f"答复日期（{application.replied_on}）早于收到申请日期（{application.received_on}）",
                      field="replied_on")
    if application.replied_on and application.correction_received_on and application.replied_on < application.correction_received_on:
        raise Invalid("reply_before_correction", "答复日期不能早于收到补正日期", field="replied_on")
    if bool(application.replied_on) != bool(application.result):
        raise Invalid("reply_needs_result", "答复日期和办理结果须同时填写", field="result" if application.replied_on else "replied_on")
    if application.withheld_reasons and application.result != "partial":
        raise Invalid("withheld_only_partial", "只有部分公开的申请才填写不公开部分的理由", field="withheld_reasons")


def compute_due(cal: WorkCalendar, application: DisclosureApplication) -> tuple[date | None, bool]:
    if application.correction_asked_on and not application.correction_received_on:
        return None, False  # waiting for the 补正: the period does not run
    start = application.correction_received_on or application.received_on
    days = REPLY_PERIOD + (application.extension_days or 0) + (application.consultation_days or 0)
    return cal.add_workdays(start, days)


def flags(cal: WorkCalendar, application: DisclosureApplication, today: date | None = None) -> list[str]:
    """Warnings a reviewer of the register should see (facts are recorded even when late)."""
    out = []
    if application.correction_asked_on and cal.workdays_between(application.received_on, application.correction_asked_on) > CORRECTION_NOTICE:
        out.append("补正告知超过7个工作日")
    if application.due_on:
        end = application.replied_on or today
        if end and end > application.due_on:
            out.append("逾期答复" if application.replied_on else "已逾期未答复")
    if application.due_provisional:
        out.append("暂定")
    return out


def _apply(session: Session, application: DisclosureApplication, cal: WorkCalendar | None = None) -> None:
    _check(application)
    if application.handler_id is not None:
        handler = session.get(User, application.handler_id)
        if handler is None or handler.org_id != application.org_id:
            raise Invalid("unknown_handler", f"承办人不存在：{application.handler_id}", field="handler_id")
    application.due_on, application.due_provisional = compute_due(cal or WorkCalendar.load(session, application.org_id), application)


def create_application(session: Session, *, org_id: int, actor: User | None, data: dict) -> DisclosureApplication:
    values = _clean(data)
    required = {"channel": "申请渠道", "received_on": "收到申请日期", "applicant_type": "申请人类型"}
    for key, label in required.items():
        if not values.get(key):
            raise Invalid("missing_field", f"缺少{label}", field=key)
    application = DisclosureApplication(org_id=org_id, **values)
    _apply(session, application)
    session.add(application)
    session.flush()
    audit.record(session, org_id=org_id, action="application.create", target_type="application",
                 target_id=application.id, actor=actor, received_on=str(application.received_on), result=application.result)
    return application


def get_application(session: Session, *, org_id: int, app_id: int) -> DisclosureApplication:
    application = session.get(DisclosureApplication, app_id)
    if application is None or application.org_id != org_id:
        raise NotFound("application_not_found", f"依申请公开记录 {app_id} 不存在")
    return application


def update_application(session: Session, *, org_id: int, actor: User | None, app_id: int,
                       changes: dict) -> DisclosureApplication:
    application = get_application(session, org_id=org_id, app_id=app_id)
    values = _clean(changes)
    before = {k: getattr(application, k) for k in values}
    with session.no_autoflush:
        for key, value in values.items():
            setattr(application, key, value)
        try:
            _apply(session, application)
        except Invalid:
            for key, value in before.items():
                setattr(application, key, value)
            raise
    application.updated_at = utcnow()
    audit.record(session, org_id=org_id, action="application.update", target_type="application",
                 target_id=application.id, actor=actor, fields=sorted(values))
    return application


def list_applications(session: Session, *, org_id: int, year: int | None = None, open_only: bool = False,
                      limit: int = 100, offset: int = 0) -> list[DisclosureApplication]:
    query = select(DisclosureApplication).where(DisclosureApplication.org_id == org_id)
    if year is not None:
        first, last = date(year, 1, 1), date(year, 12, 31)
        query = query.where(DisclosureApplication.received_on <= last).where(
            or_(DisclosureApplication.replied_on.is_(None), DisclosureApplication.replied_on >= first))
    if open_only:
        query = query.where(DisclosureApplication.replied_on.is_(None))
    query = query.order_by(DisclosureApplication.received_on, DisclosureApplication.id)
    return list(session.exec(query.offset(offset).limit(limit)).all())


def recompute_due_dates(session: Session, *, org_id: int, cal: WorkCalendar | None = None,
                        from_year: int | None = None) -> int:
    """Recompute stored due dates (after a holiday year was entered); returns how many changed."""
    cal = cal or WorkCalendar.load(session, org_id)
    query = select(DisclosureApplication).where(DisclosureApplication.org_id == org_id)
    if from_year is not None:
        query = query.where(or_(DisclosureApplication.due_provisional.is_(True),
                                DisclosureApplication.received_on >= date(from_year - 1, 1, 1)))
    changed = 0
    for application in session.exec(query).all():  # only the few open/recent rows of the affected years
        due = compute_due(cal, application)
        if due != (application.due_on, application.due_provisional):
            application.due_on, application.due_provisional = due
            changed += 1
    return changed
