"""The two report layouts: sections and tables with exactly the format's row and column labels.

A table is a `TableSpec`: column header paths and row label paths (merged where they share a prefix)
and a stable code for every cell, `<prefix>.<row>.<col>` (or `<prefix>.<col>` for a label-less row).
"""

from __future__ import annotations

from dataclasses import dataclass

from annual.registers.codes import APPEAL_KINDS, APPEAL_OUTCOMES, APPLICANT_TYPES, RESULT_GROUPS

LAYOUTS = ("2021", "2019")

SECTION_HEADINGS = [
    ("s1", "一、总体情况"),
    ("s2", "二、主动公开政府信息情况"),
    ("s3", "三、收到和处理政府信息公开申请情况"),
    ("s4", "四、政府信息公开行政复议、行政诉讼情况"),
    ("s5", "五、存在的主要问题及改进情况"),
    ("s6", "六、其他需要报告的事项"),
]


@dataclass(frozen=True)
class TableSpec:
    id: str
    prefix: str
    caption: str  # a full-width first row (e.g. 第二十条第（一）项), or ""
    corner: str  # the header cell above the row labels
    label_depth: int
    columns: tuple[tuple[str, tuple[str, ...]], ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]

    def cell(self, row: str, col: str) -> str:
        return f"{self.prefix}.{row}.{col}" if row else f"{self.prefix}.{col}"

    def cells(self) -> list[str]:
        return [self.cell(r, c) for r, _ in self.rows for c, _ in self.columns]

    def labels(self) -> list[str]:
        """Every label text of the table (caption, corner, headers, row labels), deduplicated, in order."""
        seen: dict[str, None] = {}
        for text in [self.caption, self.corner, *(p for _, path in self.columns for p in path),
                     *(p for _, path in self.rows for p in path)]:
            if text:
                seen.setdefault(text, None)
        return list(seen)


def _t2(id_: str, caption: str, columns: list[tuple[str, str]], rows: list[tuple[str, str]]) -> TableSpec:
    return TableSpec(id=id_, prefix="t2", caption=caption, corner="信息内容", label_depth=1,
                     columns=tuple((c, (label,)) for c, label in columns),
                     rows=tuple((r, (label,)) for r, label in rows))


T2_2021 = [
    _t2("t2_1", "第二十条第（一）项", [("made", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数")],
        [("rules", "规章"), ("norms", "行政规范性文件")]),
    _t2("t2_5", "第二十条第（五）项", [("decisions", "本年处理决定数量")], [("permit", "行政许可")]),
    _t2("t2_6", "第二十条第（六）项", [("decisions", "本年处理决定数量")],
        [("penalty", "行政处罚"), ("coercion", "行政强制")]),
    _t2("t2_8", "第二十条第（八）项", [("amount", "本年收费金额（单位：万元）")], [("fees", "行政事业性收费")]),
]  # fmt: skip

_PREV_CHANGE = [("prev", "上一年项目数量"), ("change", "本年增/减")]
T2_2019 = [
    _t2("t2_1", "第二十条第（一）项", [("made", "本年新制作数量"), ("published", "本年新公开数量"), ("total", "对外公开总数量")],
        [("rules", "规章"), ("norms", "规范性文件")]),
    _t2("t2_5", "第二十条第（五）项", [*_PREV_CHANGE, ("decisions", "处理决定数量")],
        [("permit", "行政许可"), ("other_services", "其他对外管理服务事项")]),
    _t2("t2_6", "第二十条第（六）项", [*_PREV_CHANGE, ("decisions", "处理决定数量")],
        [("penalty", "行政处罚"), ("coercion", "行政强制")]),
    _t2("t2_8", "第二十条第（八）项", _PREV_CHANGE, [("fees", "行政事业性收费")]),
    _t2("t2_9", "第二十条第（九）项", [("count", "采购项目数量"), ("amount", "采购总金额")], [("procurement", "政府集中采购")]),
]  # fmt: skip

T3_COLUMNS = tuple(
    [("natural", ("申请人情况", "自然人"))]
    + [(code, ("申请人情况", "法人或其他组织", label)) for code, label in APPLICANT_TYPES.items() if code != "natural"]
    + [("total", ("申请人情况", "总计"))]
)
T3_APPLICANT_COLUMNS = tuple(code for code in APPLICANT_TYPES)
T3_CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
RESULTS = "三、本年度办理结果"


def _t3_rows(split_other: bool) -> tuple[tuple[str, tuple[str, ...]], ...]:
    rows: list[tuple[str, tuple[str, ...]]] = [
        ("new", ("一、本年新收政府信息公开申请数量",)),
        ("carried_in", ("二、上年结转政府信息公开申请数量",)),
    ]
    for group, members in RESULT_GROUPS:
        if group == "（六）其他处理" and not split_other:
            rows.append(("other_all", (RESULTS, group)))
            continue
        for code, label in members:
            rows.append((code, (RESULTS, group, label) if label else (RESULTS, group)))
    rows += [("total", (RESULTS, "（七）总计")), ("carried_out", ("四、结转下年度继续办理",))]
    return tuple(rows)


def _t3(split_other: bool) -> TableSpec:
    return TableSpec(id="t3", prefix="t3", caption="", corner=T3_CORNER, label_depth=3, columns=T3_COLUMNS,
                     rows=_t3_rows(split_other))


T4_GROUPS = {"reconsideration": ("行政复议",), "litigation_direct": ("行政诉讼", "未经复议直接起诉"),
             "litigation_after": ("行政诉讼", "复议后起诉")}  # fmt: skip
T4 = TableSpec(
    id="t4", prefix="t4", caption="", corner="", label_depth=0,
    columns=tuple((f"{kind}.{col}", (*T4_GROUPS[kind], label))
                  for kind in APPEAL_KINDS for col, label in [*APPEAL_OUTCOMES.items(), ("total", "总计")]),
    rows=(("", ()),),
)  # fmt: skip


@dataclass(frozen=True)
class Layout:
    name: str
    title_suffix: str
    t2: list[TableSpec]
    t3: TableSpec
    t4: TableSpec = T4

    def tables(self) -> list[TableSpec]:
        return [*self.t2, self.t3, self.t4]


LAYOUT_SPECS = {
    "2021": Layout("2021", "（国办公开办函〔2021〕30号格式）", T2_2021, _t3(split_other=True)),
    "2019": Layout("2019", "（2019年试行格式）", T2_2019, _t3(split_other=False)),
}

T2_CODES = frozenset(code for layout in LAYOUT_SPECS.values() for t in layout.t2 for code in t.cells())
T2_SIGNED_CODES = frozenset(code for code in T2_CODES if code.endswith(".change"))
# 结转下年度 as printed in a report made before gongkai (checked against the next year's 上年结转).
REPORTED_CARRIED_OUT_CODES = frozenset(f"t3.carried_out.{c}" for c, _ in T3_COLUMNS)
ANNUAL_FIGURE_CODES = T2_CODES | REPORTED_CARRIED_OUT_CODES


def get_layout(name: str) -> Layout:
    from content.errors import Invalid

    if name not in LAYOUT_SPECS:
        raise Invalid("unknown_layout", f"未知的报告格式：{name}（可选：2021、2019）")
    return LAYOUT_SPECS[name]
