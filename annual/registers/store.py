"""Interactions, appeal cases, table 二 figures and report texts (the small registers)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import object_session
from sqlmodel import Session, select

from annual.registers.codes import APPEAL_KINDS, APPEAL_OUTCOMES, INTERACTION_KINDS
from annual.registers.models import AnnualFigures, AppealCase, DisclosureApplication, Interaction, ReportText
from annual.registers.validate import as_code, as_date, as_int, as_text, tag_field, year_in_range
from content import audit
from content.errors import Invalid, NotFound
from content.models import User
from content.timeutil import utcnow


def _unknown(data: dict, allowed: set[str]) -> None:
    extra = set(data) - allowed
    if extra:
        raise Invalid("unknown_field", f"未知字段：{'、'.join(sorted(extra))}")


INTERACTION_FIELDS = ("kind", "title", "starts_on", "ends_on", "participants", "suggestions")
APPEAL_FIELDS = ("kind", "case_no", "filed_on", "outcome", "decided_on", "application_id", "note")


def _interaction_values(data: dict[str, Any]) -> dict[str, Any]:
    """Every field of an interaction, converted and cross-checked (raises `Invalid`)."""
    _unknown(data, set(INTERACTION_FIELDS))
    converters = {
        "kind": lambda v: as_code(v, INTERACTION_KINDS, "互动类型"),
        "title": lambda v: as_text(v, "标题", 200) or _missing("标题"),
        "starts_on": lambda v: as_date(v, "开始日期", required=True),
        "ends_on": lambda v: as_date(v, "结束日期"),
        "participants": lambda v: as_int(v, "参与人次"),
        "suggestions": lambda v: as_int(v, "意见建议条数"),
    }
    values = {key: tag_field(key, convert, data.get(key)) for key, convert in converters.items()}
    if values["ends_on"] and values["ends_on"] < values["starts_on"]:
        raise Invalid("end_before_start", "结束日期不能早于开始日期", field="ends_on")
    return values


def create_interaction(session: Session, *, org_id: int, actor: User | None, data: dict[str, Any]) -> Interaction:
    row = Interaction(org_id=org_id, **_interaction_values(data))
    session.add(row)
    session.flush()
    audit.record(session, org_id=org_id, action="interaction.create", target_type="interaction",
                 target_id=row.id, actor=actor, kind=row.kind)
    return row


def update_interaction(session: Session, *, org_id: int, actor: User | None, row_id: int,
                       changes: dict[str, Any]) -> Interaction:
    """Change some fields; the merged row is checked as a whole before anything is written."""
    row = get_row(session, Interaction, org_id=org_id, row_id=row_id)
    _unknown(changes, set(INTERACTION_FIELDS))
    values = _interaction_values({**{f: getattr(row, f) for f in INTERACTION_FIELDS}, **changes})
    changed = _assign(row, values)
    audit.record(session, org_id=org_id, action="interaction.update", target_type="interaction",
                 target_id=row.id, actor=actor, fields=changed)
    return row


def delete_interaction(session: Session, *, org_id: int, actor: User | None, row_id: int) -> None:
    row = get_row(session, Interaction, org_id=org_id, row_id=row_id)
    audit.record(session, org_id=org_id, action="interaction.delete", target_type="interaction",
                 target_id=row.id, actor=actor, kind=row.kind, title=row.title, starts_on=str(row.starts_on))
    session.delete(row)
    session.flush()


def _missing(label: str) -> str:
    raise Invalid("missing_field", f"缺少{label}")


def _appeal_values(session: Session, org_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Every field of an appeal case, converted and cross-checked (raises `Invalid`/`NotFound`)."""
    _unknown(data, set(APPEAL_FIELDS))
    converters = {
        "kind": lambda v: as_code(v, APPEAL_KINDS, "案件类型"),
        "case_no": lambda v: as_text(v, "案号", 100),
        "filed_on": lambda v: as_date(v, "立案日期", required=True),
        "outcome": lambda v: as_code(v or "pending", APPEAL_OUTCOMES, "案件结果"),
        "decided_on": lambda v: as_date(v, "审结日期"),
        "application_id": lambda v: as_int(v, "关联申请编号") or None,
        "note": lambda v: as_text(v, "备注", 5000),
    }
    values = {key: tag_field(key, convert, data.get(key)) for key, convert in converters.items()}
    if (values["outcome"] == "pending") != (values["decided_on"] is None):
        raise Invalid("outcome_needs_date", "已审结的案件须填写审结日期；尚未审结的案件不填审结日期",
                      field="decided_on")
    if values["decided_on"] and values["decided_on"] < values["filed_on"]:
        raise Invalid("decided_before_filed", "审结日期不能早于立案日期", field="decided_on")
    if values["application_id"] is not None:
        linked = session.get(DisclosureApplication, values["application_id"])
        if linked is None or linked.org_id != org_id:
            raise Invalid("application_not_found", f"依申请公开记录 {values['application_id']} 不存在",
                          field="application_id")
    return values


def create_appeal(session: Session, *, org_id: int, actor: User | None, data: dict[str, Any]) -> AppealCase:
    row = AppealCase(org_id=org_id, **_appeal_values(session, org_id, data))
    session.add(row)
    session.flush()
    audit.record(session, org_id=org_id, action="appeal.create", target_type="appeal", target_id=row.id,
                 actor=actor, kind=row.kind, outcome=row.outcome)
    return row


def update_appeal(session: Session, *, org_id: int, actor: User | None, row_id: int,
                  changes: dict[str, Any]) -> AppealCase:
    row = get_row(session, AppealCase, org_id=org_id, row_id=row_id)
    _unknown(changes, set(APPEAL_FIELDS))
    values = _appeal_values(session, org_id, {**{f: getattr(row, f) for f in APPEAL_FIELDS}, **changes})
    changed = _assign(row, values)
    audit.record(session, org_id=org_id, action="appeal.update", target_type="appeal", target_id=row.id,
                 actor=actor, fields=changed, outcome=row.outcome)
    return row


def delete_appeal(session: Session, *, org_id: int, actor: User | None, row_id: int) -> None:
    row = get_row(session, AppealCase, org_id=org_id, row_id=row_id)
    audit.record(session, org_id=org_id, action="appeal.delete", target_type="appeal", target_id=row.id,
                 actor=actor, kind=row.kind, case_no=row.case_no, outcome=row.outcome)
    session.delete(row)
    session.flush()


def _assign(row, values: dict[str, Any]) -> list[str]:
    """Set the values that differ; returns the names of the changed fields."""
    changed = sorted(k for k, v in values.items() if getattr(row, k) != v)
    for key in changed:
        setattr(row, key, values[key])
    session = object_session(row)
    if session is not None:
        session.flush()
    return changed


def list_rows(session: Session, model, *, org_id: int, limit: int = 200, offset: int = 0) -> list:
    query = select(model).where(model.org_id == org_id).order_by(model.id).offset(offset).limit(limit)
    return list(session.exec(query).all())


def get_row(session: Session, model, *, org_id: int, row_id: int):
    row = session.get(model, row_id)
    if row is None or row.org_id != org_id:
        raise NotFound("not_found", f"记录 {row_id} 不存在")
    return row


def set_annual_figures(session: Session, *, org_id: int, year: int, actor: User | None,
                       figures: dict[str, Any]) -> AnnualFigures:
    """Merge table 二 figures (cell code → number); a value of None removes the entry."""
    from annual.report.layouts import ANNUAL_FIGURE_CODES, T2_SIGNED_CODES

    year = year_in_range(year)
    clean: dict[str, float | None] = {}
    for code, value in figures.items():
        if code not in ANNUAL_FIGURE_CODES:
            raise Invalid("unknown_cell", f"表二没有这个数据项：{code}")
        if value is None:
            clean[code] = None
            continue
        try:
            number = float(value)
        except (TypeError, ValueError) as exc:
            raise Invalid("bad_number", f"{code} 必须是数字：{value}") from exc
        if number < 0 and code not in T2_SIGNED_CODES:
            raise Invalid("negative_figure", f"{code} 不能为负数")
        clean[code] = int(number) if number.is_integer() else round(number, 4)
    row = session.exec(select(AnnualFigures).where(AnnualFigures.org_id == org_id, AnnualFigures.year == year)).first()
    if row is None:
        row = AnnualFigures(org_id=org_id, year=year, figures={})
        session.add(row)
    merged = {**row.figures, **clean}
    row.figures = {k: v for k, v in merged.items() if v is not None}
    row.updated_at = utcnow()
    session.flush()
    audit.record(session, org_id=org_id, action="annual_figures.set", target_type="annual_figures",
                 target_id=row.id, actor=actor, year=year, cells=sorted(clean))
    return row


def get_annual_figures(session: Session, *, org_id: int, year: int) -> dict[str, Any]:
    row = session.exec(select(AnnualFigures).where(AnnualFigures.org_id == org_id, AnnualFigures.year == year)).first()
    return dict(row.figures) if row else {}


def set_report_text(session: Session, *, org_id: int, year: int, actor: User | None,
                    data: dict[str, Any]) -> ReportText:
    _unknown(data, {"layout", "overview", "problems", "other"})
    year = year_in_range(year)
    row = get_report_text(session, org_id=org_id, year=year) or ReportText(org_id=org_id, year=year)
    if "layout" in data:
        if data["layout"] not in ("2021", "2019"):
            raise Invalid("unknown_layout", "报告格式只能是 2021 或 2019")
        row.layout = data["layout"]
    for key, label in (("overview", "总体情况"), ("problems", "存在的主要问题及改进情况"), ("other", "其他需要报告的事项")):
        if key in data:
            setattr(row, key, as_text(data[key], label, 20000))
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    audit.record(session, org_id=org_id, action="report_text.set", target_type="report_text", target_id=row.id,
                 actor=actor, year=year, fields=sorted(data))
    return row


def get_report_text(session: Session, *, org_id: int, year: int) -> ReportText | None:
    return session.exec(select(ReportText).where(ReportText.org_id == org_id, ReportText.year == year)).first()
