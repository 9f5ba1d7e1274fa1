"""The annual report DOCX is a 公文: A4, GB/T 9704 margins, page numbers, the org as author, a Chinese name."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import unquote

import docx
from sqlmodel import Session

from annual.report import render
from annual.report.build import build_report
from tests.web.pages.conftest import HTML, client_for, web_app  # noqa: F401 - fixtures


def _doc(engine, world) -> tuple[dict, docx.document.Document]:
    with Session(engine) as s:
        report = build_report(s, org_id=world.org_id, year=2026)
    return report, docx.Document(BytesIO(render(report, "docx")))


def test_docx_is_a4_with_gbt9704_margins_and_page_numbers(engine, world):
    _, document = _doc(engine, world)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]
    footer = section.footer._element.xml
    assert "PAGE" in footer and 'w:fldCharType="begin"' in footer
    assert section.footer.paragraphs[0].text.startswith("— ") and section.footer.paragraphs[0].text.endswith(" —")


def test_docx_core_properties_name_the_org(engine, world):
    report, document = _doc(engine, world)
    props = document.core_properties
    assert props.author == "测试镇" and props.last_modified_by == "测试镇"
    assert props.title == "测试镇2026年政府信息公开工作年度报告" == report["title"]
    assert "python-docx" not in (props.author + props.last_modified_by + props.comments)


def test_download_has_a_chinese_rfc5987_name(client_for, world):  # noqa: F811
    r = client_for("admin").get("/reports/2026/download/docx", headers=HTML)
    assert r.status_code == 200
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="report-2026.docx"; ')
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == "测试镇2026年政府信息公开工作年度报告.docx"
    assert "report-2026-2021" not in disposition
