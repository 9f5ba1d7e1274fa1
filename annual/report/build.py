"""Assemble the annual report (a plain dict every renderer reads) from the tally and the registers."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session

from annual.registers.codes import OTHER_RESULT_CODES
from annual.registers.store import get_annual_figures, get_report_text
from annual.report.consistency import check
from annual.report.grid import layout_grid
from annual.report.layouts import SECTION_HEADINGS, T2_CODES, T3_COLUMNS, Layout, get_layout
from annual.tally import tally, tally_applications
from content.labels import channel_label

SCHEMA = "gongkai.report/1"


def report_cells(layout: Layout, t: dict[str, Any]) -> dict[str, Any]:
    """Every cell value of the layout's tables, by cell code."""
    figures = t["annual_figures"]
    cells: dict[str, Any] = {code: 0 for table in layout.tables() for code in table.cells()}
    for table in layout.t2:
        for code in table.cells():
            if code in figures:
                cells[code] = figures[code]
    normative = t["items"]["normative_documents"]
    derived = "t2.norms.made" if layout.name == "2021" else "t2.norms.published"
    if normative is not None and derived not in figures:
        cells[derived] = normative
    a = t["applications"]
    for col, _ in T3_COLUMNS:
        for row in ("new", "carried_in", "carried_out"):
            cells[f"t3.{row}.{col}"] = a[row][col]
        cells[f"t3.total.{col}"] = a["closed"][col]
        for code, by_type in a["results"].items():
            if f"t3.{code}.{col}" in cells:
                cells[f"t3.{code}.{col}"] = by_type[col]
        if layout.name == "2019":
            cells[f"t3.other_all.{col}"] = sum(a["results"][c][col] for c in OTHER_RESULT_CODES)
    for kind, outcomes in t["appeals"].items():
        for outcome, value in outcomes.items():
            cells[f"t4.{kind}.{outcome}"] = value
    return cells


def placeholders(t: dict[str, Any]) -> dict[str, str]:
    """Names usable as {name} in the ReportText narrative."""
    items, inter, apps = t["items"], t["interactions"], t["applications"]
    rate = apps["on_time_rate"]
    out = {
        "year": str(t["year"]), "org": t["org"]["name"],
        "items_published": items["published"], "portal_total": items["portal"]["total"],
        "on_application_items": items["on_application"], "full_text_items": items["full_text"],
        "mp_total": items["mp"]["total"], "mp_original": items["mp"]["original"], "mp_repost": items["mp"]["repost"],
        "surveys": inter["survey"]["count"], "solicitations": inter["solicitation"]["count"],
        "interviews": inter["interview"]["count"], "participants": inter["total"]["participants"],
        "suggestions": inter["total"]["suggestions"], "applications_new": apps["new"]["total"],
        "applications_closed": apps["closed"]["total"], "applications_carried_out": apps["carried_out"]["total"],
        "on_time_rate": "—" if rate is None else f"{rate * 100:.1f}%",
        "wecom_group_items": items["by_channel"]["wecom_group"],
        "wecom_group_posts": items["by_channel"]["wecom_group_posts"],
        "board_items": items["by_channel"]["board"], "board_posted": items["by_channel"]["board_posted"],
    }  # fmt: skip
    return {k: str(v) for k, v in out.items()}


def fill(text: str, values: dict[str, str]) -> str:
    """Replace {name} placeholders; unknown names and stray braces stay as written."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def _other_channels(c: dict[str, int]) -> str:
    """Grid groups and bulletin boards, said only when the year used them."""
    parts = []
    if c["wecom_group"]:
        # the channel's name from the one label table (企业微信群), as everywhere else people read it
        parts.append(f"通过各村{channel_label('wecom_group')}推送信息{c['wecom_group']}条（共{c['wecom_group_posts']}条次）")
    if c["board"] or c["board_posted"]:
        parts.append(f"通过公开栏公开信息{c['board']}条（全年张贴公告{c['board_posted']}份）")
    return "；".join(parts) + "。" if parts else ""


def _overview(t: dict[str, Any], p: dict[str, str]) -> list[str]:
    items = t["items"]
    topics = "、".join(f"{name}{n}条" for name, n in items["portal"]["by_topic"].items())
    paras = [
        f"{p['year']}年，{p['org']}通过政府门户网站主动公开政府信息{p['portal_total']}条，其中{topics or '无分类数据'}。"
        f"依申请公开信息{p['on_application_items']}条，全文公开信息{p['full_text_items']}条。",
        f"通过政务微信公众号发布信息{p['mp_total']}条，其中原创{p['mp_original']}条、转载{p['mp_repost']}条。"
        + _other_channels(items["by_channel"]),
        f"开展网上调查问卷{p['surveys']}次、民意征集{p['solicitations']}次、在线访谈{p['interviews']}次，"
        f"参与{p['participants']}人次，收集意见建议{p['suggestions']}条。",
        f"全年共收到政府信息公开申请{p['applications_new']}件，办结{p['applications_closed']}件，"
        f"结转下年度{p['applications_carried_out']}件，按时答复率{p['on_time_rate']}。",
    ]
    if t["applications"]["provisional_due"]:
        paras.append(f"注：有{t['applications']['provisional_due']}件申请的答复期限跨入节假日安排尚未公布的年度，"
                     "期限为暂定（仅按周末计算）。")
    return paras


def build_report(session: Session, *, org_id: int, year: int, layout: str | None = None) -> dict[str, Any]:
    text = get_report_text(session, org_id=org_id, year=year)
    spec = get_layout(layout or (text.layout if text else "2021"))
    t = tally(session, org_id=org_id, year=year)
    cells = report_cells(spec, t)
    prev_figures = get_annual_figures(session, org_id=org_id, year=year - 1)
    reported = {k.rsplit(".", 1)[1]: v for k, v in prev_figures.items() if k.startswith("t3.carried_out.")}
    prev_carried_out = reported or tally_applications(session, org_id=org_id, year=year - 1)["carried_out"]
    prev_in_force = {row: prev_figures[f"t2.{row}.in_force"] for row in ("rules", "norms")
                     if f"t2.{row}.in_force" in prev_figures}
    errors, warnings = check(spec, cells, prev_carried_out=prev_carried_out,
                             closed_distinct=t["applications"]["closed"]["total"], prev_in_force=prev_in_force)
    p = placeholders(t)
    narrative = {key: fill(getattr(text, key), p) if text else "" for key in ("overview", "problems", "other")}
    s1 = []
    if t["empty"]:
        s1.append(f"{year}年度本机关暂无政府信息公开相关数据（无发布记录、无政府信息公开申请、无行政复议和行政诉讼），"
                  "以下各表均为零。")
    s1 += _overview(t, p) + [x for x in narrative["overview"].split("\n") if x.strip()]
    paragraphs = {
        "s1": s1,
        "s2": [],
        "s3": [],
        "s4": [],
        "s5": [x for x in narrative["problems"].split("\n") if x.strip()] or ["无。"],
        "s6": [x for x in narrative["other"].split("\n") if x.strip()] or ["无。"],
    }
    table_section = {"t3": "s3", "t4": "s4"}
    tables = []
    for table in spec.tables():
        tables.append({"id": table.id, "section": table_section.get(table.id, "s2"), "caption": table.caption,
                       "labels": table.labels(), "cells": {c: cells[c] for c in table.cells()},
                       "grid": layout_grid(table, cells)})
    return {
        "schema": SCHEMA,
        "title": f"{t['org']['name']}{year}年政府信息公开工作年度报告",
        "org": t["org"], "year": year, "layout": spec.name, "empty": t["empty"],
        "sections": [{"id": sid, "heading": heading, "paragraphs": paragraphs[sid],
                      "tables": [tb["id"] for tb in tables if tb["section"] == sid]}
                     for sid, heading in SECTION_HEADINGS],
        "tables": tables, "cells": cells, "errors": errors, "warnings": warnings,
        "entered_t2_cells": sorted(c for c in t["annual_figures"] if c in T2_CODES),
        "figures": t,
    }  # fmt: skip
