"""年度报告 pages: tables with the format's labels, consistency findings, admin edits, downloads (both databases)."""

from __future__ import annotations

import json
import re
from io import BytesIO

import docx
from sqlmodel import Session, select

from annual.registers.models import AnnualFigures, ReportText
from annual.registers.store import set_annual_figures
from content.models import AuditEvent
from tests.annual.report.fixture import load_applications
from tests.web.pages.conftest import HTML


def _registers(engine, world) -> None:
    with Session(engine) as s:
        load_applications(s, world.org_id)
        s.commit()


def _events(engine, action: str) -> list[AuditEvent]:
    with Session(engine) as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _figures(engine, world, year: int) -> dict:
    with Session(engine) as s:
        row = s.exec(select(AnnualFigures).where(AnnualFigures.org_id == world.org_id,
                                                 AnnualFigures.year == year)).first()
        return dict(row.figures) if row else {}


def test_report_page_tables_and_consistency_findings(client_for, engine, world):
    _registers(engine, world)
    with Session(engine) as s:  # 2024's report as printed before gongkai said 9 natural persons carried over
        set_annual_figures(s, org_id=world.org_id, year=2024, actor=None,
                           figures={"t3.carried_out.natural": 9, "t2.norms.in_force": 10})
        s.commit()
    admin = client_for("admin")
    page = admin.page("/reports/2025")
    assert page.status_code == 200 and 'href="/reports"' in page.text
    assert "测试镇2025年政府信息公开工作年度报告" in page.text
    for label in ("第二十条第（一）项", "本年制发件数", "行政规范性文件", "商业企业", "（七）总计",
                  "四、结转下年度继续办理", "未经复议直接起诉", "尚未审结", "（六）其他处理"):
        assert label in page.text, label
    assert 'data-table="t3"' in page.text and 'data-cell="t3.total.total"' in page.text
    # the carry-over error names its cell and marks it in the table
    assert 'id="consistency-errors"' in page.text
    assert "表三“二、上年结转”行“自然人”列" in page.text and "单元格 t3.carried_in.natural" in page.text
    assert 'class="v bad" data-cell="t3.carried_in.natural"' in page.text

    # admin enters this year's table 二 figures: 现行有效件数 does not follow from last year → soft warning
    r = admin.submit("/reports/2025/figures", {"t2.norms.made": "2", "t2.norms.repealed": "0",
                                               "t2.norms.in_force": "11", "t2.permit.decisions": "37"})
    assert r.status_code == 303 and r.headers["location"] == "/reports/2025?done=figures"
    assert _figures(engine, world, 2025) == {"t2.norms.made": 2, "t2.norms.repealed": 0, "t2.norms.in_force": 11,
                                             "t2.permit.decisions": 37}
    [event] = [e for e in _events(engine, "annual_figures.set") if e.actor_id == world.admin]
    assert event.data["year"] == 2025
    page = admin.page("/reports/2025?done=figures")
    assert 'id="consistency-warnings"' in page.text and "单元格 t2.norms.in_force" in page.text
    assert "表二“行政规范性文件”行“现行有效件数”列" in page.text
    assert re.search(r'<td class="v warn" data-cell="t2.norms.in_force" title="[^"]*应为 12[^"]*">11<', page.text)
    assert 'data-cell="t2.permit.decisions">37<' in page.text
    # clearing a box removes the entry
    r = admin.submit("/reports/2025/figures", {"t2.norms.made": "2", "t2.norms.repealed": "0",
                                               "t2.norms.in_force": "11", "t2.permit.decisions": ""})
    assert r.status_code == 303 and "t2.permit.decisions" not in _figures(engine, world, 2025)


def test_layout_2019_has_its_own_labels(client_for, engine, world):
    _registers(engine, world)
    drafter = client_for("drafter")
    page = drafter.page("/reports/2025?layout=2019")
    assert page.status_code == 200 and 'id="layout-current">2019' in page.text
    assert "本年新制作数量" in page.text and "政府集中采购" in page.text and "本年制发件数" not in page.text
    assert 'data-cell="t3.other_all.total"' in page.text and 'data-cell="t3.other_no_fee.total"' not in page.text
    assert 'href="/reports/2025/download/docx?layout=2019"' in page.text


def test_admin_edits_the_narrative_with_placeholders(client_for, engine, world):
    _registers(engine, world)
    admin = client_for("admin")
    page = admin.page("/reports/2025")
    assert 'id="text-form"' in page.text and "{applications_new}" in page.text
    r = admin.submit("/reports/2025/text", {
        "layout": "2019", "overview": "{year}年共受理申请{applications_new}件，<b>依法</b>办理。",
        "problems": "队伍力量薄弱。\n将加强培训。", "other": ""})
    assert r.status_code == 303 and r.headers["location"] == "/reports/2025?done=text"
    with Session(engine) as s:
        text = s.exec(select(ReportText).where(ReportText.year == 2025)).one()
        assert text.layout == "2019" and text.problems == "队伍力量薄弱。\n将加强培训。"
    [event] = _events(engine, "report_text.set")
    assert event.actor_id == world.admin
    page = admin.page("/reports/2025")
    assert 'id="layout-current">2019' in page.text  # the stored layout is the default now
    assert "2025年共受理申请" in page.text and "&lt;b&gt;依法&lt;/b&gt;" in page.text
    assert "<p>队伍力量薄弱。</p>" in page.text and "<p>将加强培训。</p>" in page.text


def test_bad_admin_input_is_inline_and_changes_nothing(client_for, engine, world):
    admin = client_for("admin")
    admin.page("/reports/2025")
    long_text = "很长" * 10001
    r = admin.submit("/reports/2025/text", {"overview": long_text, "problems": "保留我输入的内容", "other": ""})
    assert r.status_code == 422 and "不能超过 20000 字" in r.text and "保留我输入的内容" in r.text
    r = admin.submit("/reports/2025/text", {"layout": "1999", "overview": "x"})
    assert r.status_code == 422 and "请选择 2021 或 2019 格式" in r.text
    with Session(engine) as s:
        assert s.exec(select(ReportText)).first() is None
    r = admin.submit("/reports/2025/figures", {"t2.norms.made": "三件", "t2.rules.repealed": "-1",
                                               "t2.permit.decisions": "5"})
    assert r.status_code == 422
    assert 'id="error-fig_t2.norms.made">请填写数字' in r.text and 'id="error-fig_t2.rules.repealed">不能为负数' in r.text
    assert 'value="三件"' in r.text
    assert _figures(engine, world, 2025) == {} and _events(engine, "annual_figures.set") == []
    assert _events(engine, "report_text.set") == []


def test_non_admin_reads_but_may_not_edit(client_for, engine, world):
    drafter = client_for("drafter")
    page = drafter.page("/reports/2025")
    assert page.status_code == 200 and 'id="text-form"' not in page.text and 'id="figures-form"' not in page.text
    r = drafter.submit("/reports/2025/text", {"overview": "擅自修改"})
    assert r.status_code == 403 and "<html" in r.text and "只有政务公开专员" in r.text
    r = drafter.submit("/reports/2025/figures", {"t2.norms.made": "3"})
    assert r.status_code == 403
    with Session(engine) as s:
        assert s.exec(select(ReportText)).first() is None and s.exec(select(AnnualFigures)).first() is None


def test_empty_year_and_year_picker(client_for, engine, world):
    drafter = client_for("drafter")
    page = drafter.page("/reports/2030")
    assert page.status_code == 200 and 'id="empty-report"' in page.text and "暂无政府信息公开相关数据" in page.text
    assert 'id="consistency-ok"' in page.text
    r = drafter.get("/reports/2030/download/docx", headers=HTML)
    assert r.status_code == 200 and "暂无政府信息公开相关数据" in "\n".join(
        p.text for p in docx.Document(BytesIO(r.content)).paragraphs)
    index = drafter.page("/reports")
    assert index.status_code == 200 and 'id="year-picker"' in index.text
    r = drafter.get("/reports?year=2025", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/reports/2025"
    r = drafter.get("/reports?year=abc", headers=HTML)
    assert r.status_code == 422 and "请填写 2004–2100 之间的年份" in r.text and 'value="abc"' in r.text
    r = drafter.get("/reports/1900", headers=HTML)
    assert r.status_code == 404 and "请填写 2004–2100 之间的年份" in r.text
    r = drafter.get("/reports/abc/download/docx", headers=HTML)
    assert r.status_code == 404 and "<html" in r.text and 'value="abc"' in r.text


def test_downloads_use_the_report_renderers(client_for, engine, world):
    _registers(engine, world)
    drafter = client_for("drafter")
    r = drafter.get("/reports/2025/download/docx", headers=HTML)
    assert r.status_code == 200 and "filename*=UTF-8''%E6%B5%8B%E8%AF%95%E9%95%872025" in r.headers["content-disposition"]
    document = docx.Document(BytesIO(r.content))
    assert document.paragraphs[0].text == "测试镇2025年政府信息公开工作年度报告"
    words = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    for label in ("本年制发件数", "行政规范性文件", "自然人", "商业企业", "（七）总计", "四、结转下年度继续办理",
                  "行政复议", "复议后起诉", "结果纠正"):
        assert label in words, label
    as_json = json.loads(drafter.get("/reports/2025/download/json", headers=HTML).content)
    assert as_json["year"] == 2025 and as_json["layout"] == "2021"
    page = drafter.page("/reports/2025")
    assert f'data-cell="t3.total.total">{as_json["cells"]["t3.total.total"]}<' in page.text
    html = drafter.get("/reports/2025/download/html?layout=2019", headers=HTML)
    assert html.headers["content-type"].startswith("text/html") and "本年新制作数量" in html.text
    md = drafter.get("/reports/2025/download/md", headers=HTML)
    assert md.text.startswith("# 测试镇2025年政府信息公开工作年度报告") and "（七）总计" in md.text
    assert drafter.get("/reports/2025/download/pdf", headers=HTML).status_code == 404


def test_oversize_form_post_gets_an_html_413(client_for, web_app, engine, world):
    admin = client_for("admin")
    admin.page("/reports/2025")
    limit = web_app.state.settings.max_body_bytes
    big = {"overview": "x" * (limit + 10)}
    r = admin.post("/reports/2025/text", data={"csrf_token": admin.csrf, **big},
                   headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
    assert "内容过大" in r.text and "<html" in r.text
    api = admin.post("/api/v1/registers/interactions", content=b"{" + b" " * (limit + 10) + b"}",
                     headers={"accept": "text/html", "content-type": "application/json"})
    assert api.status_code == 413 and api.json()["code"] == "body_too_large"
    plain = admin.post("/reports/2025/text", data=big, headers={"accept": "application/json"})
    assert plain.status_code == 413 and plain.json()["code"] == "body_too_large"
    assert _events(engine, "report_text.set") == []
