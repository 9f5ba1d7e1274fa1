"""The consistency rules of DESIGN §7, over the report's cell values (pure functions).

Hard rules (errors; `--strict` refuses to write): per column 一 + 二 = 三（七） + 四; the 总计 column = sum
of the six applicant columns; （七）总计 = sum of every result row; each table 四 group's 总计 = 维持 + 纠正 +
其他 + 尚未审结; this year's 上年结转 = last year's 结转下年度; a partly-disclosed application counts only
under （二） (the results add up to the number of distinct applications answered).
Soft rule (warning): 现行有效件数 = last year's + 制发 − 废止.
"""

from __future__ import annotations

from typing import Any

from annual.report.layouts import T3_APPLICANT_COLUMNS, T3_COLUMNS, T4_GROUPS, Layout

COL_LABEL = {code: path[-1] for code, path in T3_COLUMNS}


def _v(cells: dict[str, Any], code: str) -> float:
    return cells.get(code) or 0


def _issue(rule: str, cell: str, where: str, expected: float, actual: float, message: str) -> dict[str, Any]:
    return {"rule": rule, "cell": cell, "where": where, "expected": expected, "actual": actual, "message": message}


def check(layout: Layout, cells: dict[str, Any], *, prev_carried_out: dict[str, Any] | None,
          closed_distinct: int | None, prev_in_force: dict[str, Any] | None = None) -> tuple[list, list]:
    """Return (errors, warnings); each names the cell it concerns (code and 表/行/列 words)."""
    errors: list[dict[str, Any]] = []
    t3 = layout.t3
    result_rows = [r for r, _ in t3.rows if r not in ("new", "carried_in", "total", "carried_out")]
    row_label = {r: path[-1] for r, path in t3.rows}
    for col, _ in T3_COLUMNS:
        left = _v(cells, f"t3.new.{col}") + _v(cells, f"t3.carried_in.{col}")
        right = _v(cells, f"t3.total.{col}") + _v(cells, f"t3.carried_out.{col}")
        if left != right:
            errors.append(_issue("t3_balance", f"t3.carried_out.{col}", f"表三“{COL_LABEL[col]}”列",
                                 left, right, f"表三“{COL_LABEL[col]}”列：一＋二＝{left:g}，三（七）＋四＝{right:g}，不相等"))
        results = sum(_v(cells, f"t3.{r}.{col}") for r in result_rows)
        if results != _v(cells, f"t3.total.{col}"):
            errors.append(_issue("t3_total_row", f"t3.total.{col}", f"表三“（七）总计”行“{COL_LABEL[col]}”列",
                                 results, _v(cells, f"t3.total.{col}"),
                                 f"表三“（七）总计”行“{COL_LABEL[col]}”列应为各办理结果之和 {results:g}，"
                                 f"实为 {_v(cells, f't3.total.{col}'):g}"))
    for row, _ in t3.rows:
        parts = sum(_v(cells, f"t3.{row}.{c}") for c in T3_APPLICANT_COLUMNS)
        total = _v(cells, f"t3.{row}.total")
        if parts != total:
            errors.append(_issue("t3_total_column", f"t3.{row}.total", f"表三“{row_label[row]}”行“总计”列",
                                 parts, total, f"表三“{row_label[row]}”行：总计列应为六类申请人之和 {parts:g}，实为 {total:g}"))
    for kind, words in T4_GROUPS.items():
        parts = sum(_v(cells, f"t4.{kind}.{o}") for o in ("upheld", "corrected", "other", "pending"))
        total = _v(cells, f"t4.{kind}.total")
        if parts != total:
            name = "·".join(words)
            errors.append(_issue("t4_total", f"t4.{kind}.total", f"表四“{name}”总计", parts, total,
                                 f"表四“{name}”：总计应为结果维持＋结果纠正＋其他结果＋尚未审结＝{parts:g}，实为 {total:g}"))
    if prev_carried_out is not None:
        for col, _ in T3_COLUMNS:
            expected, actual = prev_carried_out.get(col) or 0, _v(cells, f"t3.carried_in.{col}")
            if expected != actual:
                errors.append(_issue("t3_carry_over", f"t3.carried_in.{col}", f"表三“二、上年结转”行“{COL_LABEL[col]}”列",
                                     expected, actual, f"表三“{COL_LABEL[col]}”列：本年上年结转 {actual:g} ≠ 上一年度结转下年度 {expected:g}"))
    if closed_distinct is not None and closed_distinct != _v(cells, "t3.total.total"):
        errors.append(_issue("t3_partial_once", "t3.total.total", "表三“（七）总计”行“总计”列", closed_distinct,
                             _v(cells, "t3.total.total"),
                             f"本年办结的申请共 {closed_distinct} 件，而办理结果合计 {_v(cells, 't3.total.total'):g} 件："
                             "部分公开的申请只应计入“（二）部分公开”一项"))
    warnings: list[dict[str, Any]] = []
    if layout.name == "2021" and prev_in_force is not None:
        for row, label in (("rules", "规章"), ("norms", "行政规范性文件")):
            prev = prev_in_force.get(row)
            now = cells.get(f"t2.{row}.in_force")
            if prev is None or now is None:
                continue
            expected = prev + _v(cells, f"t2.{row}.made") - _v(cells, f"t2.{row}.repealed")
            if expected != now:
                warnings.append(_issue("t2_in_force", f"t2.{row}.in_force", f"表二“{label}”行“现行有效件数”列",
                                       expected, now, f"表二“{label}”：现行有效件数 {now:g}，按上年 {prev:g} ＋制发－废止应为 {expected:g}（请核对）"))
    return errors, warnings
