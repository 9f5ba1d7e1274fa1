"""HTML (for the portal), Markdown and JSON renderings of a built report."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from annual.report.grid import occupancy

FORMATS = ("docx", "html", "md", "json")


def _tables_of(report: dict[str, Any], section: dict[str, Any]) -> list[dict[str, Any]]:
    by_id = {t["id"]: t for t in report["tables"]}
    return [by_id[i] for i in section["tables"]]


def _issues_lines(report: dict[str, Any]) -> list[str]:
    lines = [f"【错误】{e['message']}（单元格 {e['cell']}）" for e in report["errors"]]
    lines += [f"【提示】{w['message']}（单元格 {w['cell']}）" for w in report["warnings"]]
    return lines


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2, default=str)


def to_html(report: dict[str, Any]) -> str:
    out = ["<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
           f"<title>{escape(report['title'])}</title>",
           "<style>body{font-family:FangSong,'仿宋',serif;max-width:960px;margin:auto;line-height:1.8}"
           "h1{font-family:SimHei,'黑体',sans-serif;text-align:center}table{border-collapse:collapse;margin:1em 0}"
           "td,th{border:1px solid #000;padding:2px 6px;text-align:center}td.v{text-align:right}"
           ".issues{color:#b00}</style></head><body>",
           f"<h1>{escape(report['title'])}</h1>"]  # fmt: skip
    issues = _issues_lines(report)
    if issues:
        out.append('<div class="issues">' + "".join(f"<p>{escape(x)}</p>" for x in issues) + "</div>")
    for section in report["sections"]:
        out.append(f"<h2>{escape(section['heading'])}</h2>")
        out += [f"<p>{escape(p)}</p>" for p in section["paragraphs"]]
        for table in _tables_of(report, section):
            out.append(_html_table(table))
    out.append("</body></html>")
    return "\n".join(out)


def _html_table(table: dict[str, Any]) -> str:
    rows = []
    for line in occupancy(table["grid"]):
        tds = []
        for cell in line:
            if cell is None:
                continue
            tag = "th" if cell["header"] else "td"
            attrs = "" if cell["header"] else f' class="v" data-cell="{escape(cell["code"])}"'
            if cell["rowspan"] > 1:
                attrs += f' rowspan="{cell["rowspan"]}"'
            if cell["colspan"] > 1:
                attrs += f' colspan="{cell["colspan"]}"'
            tds.append(f"<{tag}{attrs}>{escape(cell['text'])}</{tag}>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return f'<table data-table="{table["id"]}">' + "".join(rows) + "</table>"


def to_markdown(report: dict[str, Any]) -> str:
    out = [f"# {report['title']}", ""]
    issues = _issues_lines(report)
    if issues:
        out += [f"> {x}" for x in issues] + [""]
    for section in report["sections"]:
        out += [f"## {section['heading']}", ""]
        for p in section["paragraphs"]:
            out += [p, ""]
        for table in _tables_of(report, section):
            out += _md_table(table) + [""]
    return "\n".join(out)


def _md_table(table: dict[str, Any]) -> list[str]:
    """Markdown has no merged cells: headers and row labels are written as their full paths."""
    grid, cells = table["grid"], table["grid"]["cells"]
    label_cols = min((c["col"] for c in cells if not c["header"]), default=0)
    head_rows = min((c["row"] for c in cells if not c["header"]), default=0)
    first = 1 if table["caption"] else 0
    headers = [[] for _ in range(grid["cols"])]
    labels: dict[int, list[str]] = {}
    for c in cells:
        if not c["header"] or c["row"] < first:
            continue
        if c["row"] < head_rows and c["col"] >= label_cols:
            for k in range(c["col"], c["col"] + c["colspan"]):
                headers[k].append(c["text"])
        elif c["row"] >= head_rows:
            for r in range(c["row"], c["row"] + c["rowspan"]):
                labels.setdefault(r, []).append(c["text"])
    corner = next((c["text"] for c in cells if c["header"] and c["row"] == first and c["col"] == 0 and label_cols), "")
    head = ([corner or "项目"] if label_cols else []) + [" / ".join(h) for h in headers[label_cols:]]
    lines = [f"**{table['caption']}**", ""] if table["caption"] else []
    lines += ["| " + " | ".join(_md(h) for h in head) + " |", "|" + "---|" * len(head)]
    values: dict[int, list[str]] = {}
    for c in sorted((c for c in cells if not c["header"]), key=lambda c: (c["row"], c["col"])):
        values.setdefault(c["row"], []).append(c["text"])
    for r in sorted(values):
        row = ([" ".join(labels.get(r, []))] if label_cols else []) + values[r]
        lines.append("| " + " | ".join(_md(x) for x in row) + " |")
    return lines


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
