"""DOCX rendering with python-docx: a centred title, 仿宋 body, real Word tables with merged cells."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from content.text_clean import xml_safe

BODY_FONT, TITLE_FONT, HEADING_FONT = "仿宋_GB2312", "方正小标宋简体", "黑体"


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
