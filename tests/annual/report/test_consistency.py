"""Every consistency rule of DESIGN §7 with a failing case; --strict refuses to write."""

from __future__ import annotations

import copy

import pytest
from sqlmodel import Session

from annual.registers.store import set_annual_figures
from annual.report.build import build_report
from annual.report.consistency import check
from annual.report.layouts import LAYOUT_SPECS
from tests.annual.report.fixture import load_applications

L2021 = LAYOUT_SPECS["2021"]


@pytest.fixture
def good(engine, world):
    with Session(engine) as s:
        load_applications(s, world.org_id)
        s.commit()
        report = build_report(s, org_id=world.org_id, year=2025)
    assert report["errors"] == []
    prev = {"natural": 0, "commercial": 1, "research": 0, "social": 1, "legal": 1, "other": 0, "total": 3}
    return report["cells"], prev


def _rules(cells, prev, closed=21, **kw):
    errors, warnings = check(L2021, cells, prev_carried_out=prev, closed_distinct=closed, **kw)
    return {(e["rule"], e["cell"]) for e in errors}, warnings


def test_good_cells_pass(good):
    cells, prev = good
    assert _rules(cells, prev) == (set(), [])


def test_column_balance(good):
    cells, prev = copy.deepcopy(good)
    cells["t3.carried_out.research"] += 1
    cells["t3.carried_out.total"] += 1
    errors, _ = _rules(cells, prev)
    assert errors == {("t3_balance", "t3.carried_out.research"), ("t3_balance", "t3.carried_out.total")}


def test_total_column_is_sum_of_applicant_columns(good):
    cells, prev = copy.deepcopy(good)
    cells["t3.public.total"] += 1
    cells["t3.total.total"] += 1
    cells["t3.new.total"] += 1
    errors, _ = _rules(cells, prev, closed=22)
    assert ("t3_total_column", "t3.public.total") in errors and ("t3_total_column", "t3.new.total") in errors


def test_total_row_is_sum_of_results(good):
    cells, prev = copy.deepcopy(good)
    cells["t3.deny_secret.research"] += 1
    cells["t3.deny_secret.total"] += 1
    errors, _ = _rules(cells, prev)
    assert ("t3_total_row", "t3.total.research") in errors and ("t3_total_row", "t3.total.total") in errors


def test_table_four_group_totals(good):
    cells, prev = copy.deepcopy(good)
    cells["t4.litigation_after.upheld"] = 2
    errors, _ = _rules(cells, prev)
    assert errors == {("t4_total", "t4.litigation_after.total")}


def test_carry_over_matches_last_year(good):
    cells, prev = copy.deepcopy(good)
    prev["legal"] = 2
    errors, _ = _rules(cells, prev)
    assert errors == {("t3_carry_over", "t3.carried_in.legal")}


def test_partly_disclosed_counts_only_once(good):
    cells, prev = good
    errors, _ = _rules(cells, prev, closed=20)  # 20 applications answered, 21 results counted
    assert errors == {("t3_partial_once", "t3.total.total")}


def test_soft_rule_in_force(good):
    cells, prev = copy.deepcopy(good)
    cells.update({"t2.norms.made": 2, "t2.norms.repealed": 1, "t2.norms.in_force": 12})
    errors, warnings = _rules(cells, prev, prev_in_force={"norms": 10})
    assert errors == set()
    assert [(w["rule"], w["cell"], w["expected"]) for w in warnings] == [("t2_in_force", "t2.norms.in_force", 11)]


def test_reported_carry_over_in_the_database_and_strict_cli(engine, world, db_url, tmp_path, monkeypatch):
    with Session(engine) as s:
        load_applications(s, world.org_id)
        # last year's report (made before gongkai) printed 2 carried over for 自然人
        set_annual_figures(s, org_id=world.org_id, year=2024, actor=None, figures={
            "t3.carried_out.natural": 2, "t3.carried_out.commercial": 1, "t3.carried_out.social": 1,
            "t3.carried_out.legal": 1, "t3.carried_out.total": 5})
        s.commit()
        report = build_report(s, org_id=world.org_id, year=2025)
    cells = {(e["rule"], e["cell"]) for e in report["errors"]}
    assert cells == {("t3_carry_over", "t3.carried_in.natural"), ("t3_carry_over", "t3.carried_in.total")}
    assert "自然人" in report["errors"][0]["message"]

    from typer.testing import CliRunner

    from app.cli import cli

    monkeypatch.setenv("GONGKAI_DATABASE_URL", db_url)
    out = tmp_path / "r.docx"
    result = CliRunner().invoke(cli, ["report", "2025", "--format", "docx", "--out", str(out), "--strict"])
    assert result.exit_code == 2 and not out.exists()
    assert "勾稽关系错误" in result.output
    result = CliRunner().invoke(cli, ["report", "2025", "--format", "docx", "--out", str(out)])
    assert result.exit_code == 0 and out.exists()
