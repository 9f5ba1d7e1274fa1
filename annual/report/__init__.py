"""The annual report: layouts, consistency rules, building and rendering."""

from __future__ import annotations

from typing import Any

from content.errors import Invalid


def render(report: dict[str, Any], fmt: str) -> bytes:
    """The report in one of docx | html | md | json, as bytes ready to write."""
    from annual.report.docx_render import to_docx
    from annual.report.text_render import to_html, to_json, to_markdown

    if fmt == "docx":
        return to_docx(report)
    renderers = {"html": to_html, "md": to_markdown, "json": to_json}
    if fmt not in renderers:
        raise Invalid("unknown_format", f"未知的输出格式：{fmt}（可选：docx、html、md、json）")
    return renderers[fmt](report).encode("utf-8")
