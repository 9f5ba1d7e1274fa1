"""DOCX rendering with python-docx: a centred title, 仿宋 body, real Word tables with merged cells."""

from __future__ import annotations

from io import BytesIO
from typing import Any
from urllib.parse import quote

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from content.text_clean import xml_safe

BODY_FONT, TITLE_FONT, HEADING_FONT = "仿宋_GB2312", "方正小标宋简体", "黑体"
# GB/T 9704-2012 党政机关公文格式: A4, 天头 37 mm, 订口 28 mm; the other two margins follow from the
# 156 mm × 225 mm type area.
PAGE_MM, MARGINS_MM = (210, 297), {"top": 37, "bottom": 35, "left": 28, "right": 26}


def download_name(report: dict[str, Any], fmt: str) -> str:
    """示例镇2026年政府信息公开工作年度报告.docx: what people file the download as."""
    return f"{report['title']}.{fmt}"


def content_disposition(report: dict[str, Any], fmt: str) -> str:
    """An attachment header with the Chinese name (RFC 5987) and an ASCII fallback for old clients."""
    fallback = f"report-{report['year']}.{fmt}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(download_name(report, fmt))}"


def _page_setup(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(footer.add_run("— "), BODY_FONT, 14)
    run = footer.add_run()
    _font(run, BODY_FONT, 14)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            node = OxmlElement("w:fldChar")
            node.set(qn("w:fldCharType"), kind)
        else:
            node = OxmlElement("w:instrText" if text.strip() == "PAGE" else "w:t")
            node.set(qn("xml:space"), "preserve")
            node.text = text
        run._element.append(node)
    _font(footer.add_run(" —"), BODY_FONT, 14)


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), name)


def to_docx(report: dict[str, Any]) -> bytes:
    report = xml_safe(report)  # narratives and titles stored before input cleaning may hold \x0b and the like
    doc = Document()
    _page_setup(doc)
    org = str((report.get("org") or {}).get("name") or "")
    props = doc.core_properties
    props.author = props.last_modified_by = org  # python-docx's template says "python-docx"
    props.title = report["title"]
    props.subject, props.keywords, props.comments = "政府信息公开工作年度报告", "政府信息公开", ""
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(report["title"]), TITLE_FONT, 22)
    for issue in report["errors"] + report["warnings"]:
        _font(doc.add_paragraph().add_run(f"【{'错误' if issue in report['errors'] else '提示'}】{issue['message']}"),
              BODY_FONT, 12)
    tables = {t["id"]: t for t in report["tables"]}
    for section in report["sections"]:
        _font(doc.add_paragraph().add_run(section["heading"]), HEADING_FONT, 16)
        for text in section["paragraphs"]:
            para = doc.add_paragraph()
            para.paragraph_format.first_line_indent = Pt(32)
            _font(para.add_run(text), BODY_FONT, 16)
        for table_id in section["tables"]:
            _table(doc, tables[table_id])
            doc.add_paragraph()
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _table(doc, table: dict[str, Any]) -> None:
    grid = table["grid"]
    word = doc.add_table(rows=grid["rows"], cols=grid["cols"])
    word.style = "Table Grid"
    word.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell in grid["cells"]:  # merge first: few cells span, and merging invalidates cell objects
        if cell["rowspan"] > 1 or cell["colspan"] > 1:
            word.cell(cell["row"], cell["col"]).merge(
                word.cell(cell["row"] + cell["rowspan"] - 1, cell["col"] + cell["colspan"] - 1))
    flat = word._cells  # one pass over the XML instead of one per cell (word.cell() re-walks the table)
    for cell in grid["cells"]:
        para = flat[cell["row"] * grid["cols"] + cell["col"]].paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER if cell["header"] else WD_ALIGN_PARAGRAPH.RIGHT
        _font(para.add_run(cell["text"]), BODY_FONT, 9, bold=cell["header"] and cell["row"] == 0)
