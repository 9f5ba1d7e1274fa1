"""DOCX reopened with python-docx; the same figures in HTML, Markdown and JSON; the CLI writes each."""

from __future__ import annotations

import json
import re
from io import BytesIO

import docx
import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from annual.report import render
from annual.report.build import build_report
from annual.report.layouts import LAYOUT_SPECS
from app.cli import cli
from tests.annual.report.fixture import load_applications


@pytest.fixture
def reports(engine, world):
    with Session(engine) as s:
        load_applications(s, world.org_id)
        s.commit()
        return {name: build_report(s, org_id=world.org_id, year=2025, layout=name) for name in LAYOUT_SPECS}


@pytest.mark.parametrize("layout", ["2021", "2019"])
def test_docx_tables_have_the_format_labels(reports, layout):
    report = reports[layout]
    document = docx.Document(BytesIO(render(report, "docx")))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == report["title"]
    for heading in ("一、总体情况", "三、收到和处理政府信息公开申请情况", "六、其他需要报告的事项"):
        assert heading in texts
    specs = LAYOUT_SPECS[layout].tables()
    assert len(document.tables) == len(specs)
    for word, spec, built in zip(document.tables, specs, report["tables"], strict=True):
        numbers = re.compile(r"^-?\d+(\.\d+)?$")
        texts = [[c.text for c in row.cells] for row in word.rows]
        labels = {t for row in texts for t in row if not numbers.match(t)}
        assert labels == set(spec.labels()), spec.id
        for cell in built["grid"]["cells"]:
            if not cell["header"]:
                assert texts[cell["row"]][cell["col"]] == str(report["cells"][cell["code"]])
    # the first column of table 三 carries the format's row labels in order
    t3 = document.tables[[s.id for s in specs].index("t3")]
    first_level = []
    for row in t3.rows[3:]:
        if not first_level or first_level[-1] != row.cells[0].text:
            first_level.append(row.cells[0].text)
    assert first_level == ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "三、本年度办理结果",
                           "四、结转下年度继续办理"]


def test_same_figures_in_html_markdown_and_json(reports):
    report = reports["2021"]
    as_json = json.loads(render(report, "json"))
    assert as_json["cells"] == report["cells"]
    html = render(report, "html").decode()
    html_cells = dict(re.findall(r'data-cell="([^"]+)">([^<]*)<', html))
    assert {k: int(v) for k, v in html_cells.items() if not k.startswith("t2.fees")} == {
        k: v for k, v in report["cells"].items() if not k.startswith("t2.fees")}
    md = render(report, "md").decode()
    # the Markdown table 三 row for （七）总计 and for 四、结转下年度继续办理
    assert "| 三、本年度办理结果 （七）总计 | 3 | 4 | 4 | 4 | 4 | 2 | 21 |" in md
    assert "| 四、结转下年度继续办理 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |" in md
    assert "| 一、本年新收政府信息公开申请数量 | 4 | 3 | 4 | 3 | 3 | 2 | 19 |" in md
    assert "（三）不予公开" in html and "申请人情况" in html


def test_cli_writes_every_format(engine, world, db_url, tmp_path, monkeypatch):
    with Session(engine) as s:
        load_applications(s, world.org_id)
        s.commit()
    monkeypatch.setenv("GONGKAI_DATABASE_URL", db_url)
    runner = CliRunner()
    for fmt in ("docx", "html", "md", "json"):
        out = tmp_path / f"r.{fmt}"
        result = runner.invoke(cli, ["report", "2025", "--layout", "2019", "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    assert json.loads((tmp_path / "r.json").read_text())["cells"]["t3.other_all.total"] == 3
    result = runner.invoke(cli, ["tally", "2025", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["applications"]["new"]["total"] == 19
    bad = runner.invoke(cli, ["report", "2025", "--format", "pdf", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "未知的输出格式" in bad.output
    empty = runner.invoke(cli, ["report", "2012", "--format", "md", "--out", str(tmp_path / "e.md")])
    assert empty.exit_code == 0 and "空报告" in empty.output
    assert "暂无政府信息公开相关数据" in (tmp_path / "e.md").read_text()
