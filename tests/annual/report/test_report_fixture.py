"""The two-year fixture: tally and report tables against tables written by hand."""

from __future__ import annotations

from sqlmodel import Session

from annual.registers.store import create_appeal, create_interaction, set_annual_figures
from annual.report.build import build_report
from annual.report.layouts import LAYOUT_SPECS
from annual.tally import tally
from content.importer import import_rows
from tests.annual.report.fixture import load_applications

COLS = ("natural", "commercial", "research", "social", "legal", "other", "total")

ITEM_ROWS = [
    ["发布日期", "渠道", "栏目", "目录领域", "来源", "标题", "链接"],
    ["2024-12-31 23:30", "门户网站", "重大建设项目", "重大建设项目", "原创", "年末通知", ""],  # still 2024 in Shanghai
    ["2025-01-01 00:30", "门户网站、微信公众号", "重大建设项目", "重大建设项目", "原创", "元旦通知", ""],
    ["2025-03-01", "门户网站", "科教文体卫生", "义务教育", "原创", "开学通知", "https://example.gov.cn/1"],
    ["2025-05-01", "微信公众号", "其他", "", "转载", "转发市里的通知", ""],
    ["2025-06-01", "微信公众号", "其他", "", "转载", "转发省里的通知", ""],
]


def _load(engine, world) -> None:
    with Session(engine) as s:
        load_applications(s, world.org_id)
        import_rows(s, org_id=world.org_id, rows=ITEM_ROWS)
        for kind, participants, suggestions in (("survey", 300, 40), ("solicitation", 120, 15)):
            create_interaction(s, org_id=world.org_id, actor=None, data={
                "kind": kind, "title": kind, "starts_on": "2025-04-01", "participants": participants,
                "suggestions": suggestions})
        create_interaction(s, org_id=world.org_id, actor=None, data={
            "kind": "interview", "title": "去年的访谈", "starts_on": "2024-04-01", "participants": 9})
        for kind, filed, outcome, decided in (
            ("reconsideration", "2025-02-01", "upheld", "2025-04-01"),
            ("reconsideration", "2025-11-01", "corrected", "2026-01-20"),  # decided after year end: 尚未审结
            ("litigation_direct", "2025-05-01", "corrected", "2025-09-01"),
            ("litigation_after", "2025-06-01", "pending", None),
        ):
            create_appeal(s, org_id=world.org_id, actor=None, data={
                "kind": kind, "filed_on": filed, "outcome": outcome, "decided_on": decided})
        set_annual_figures(s, org_id=world.org_id, year=2025, actor=None, figures={
            "t2.rules.made": 0, "t2.norms.made": 2, "t2.norms.repealed": 1, "t2.norms.in_force": 11,
            "t2.permit.decisions": 35, "t2.penalty.decisions": 4, "t2.fees.amount": 1.25})
        set_annual_figures(s, org_id=world.org_id, year=2024, actor=None, figures={"t2.norms.in_force": 10})
        s.commit()


def _row(cells, row, layout="2021"):
    return tuple(cells[f"t3.{row}.{c}"] for c in COLS)


def test_tables_of_both_years_by_hand(engine, world):
    _load(engine, world)
    with Session(engine) as s:
        r24 = build_report(s, org_id=world.org_id, year=2024)
        r25 = build_report(s, org_id=world.org_id, year=2025)
        r25_2019 = build_report(s, org_id=world.org_id, year=2025, layout="2019")
    c24, c25 = r24["cells"], r25["cells"]
    #                 自然人 商业 科研 公益 法律 其他 总计
    assert _row(c24, "new") == (1, 1, 0, 1, 1, 0, 4)
    assert _row(c24, "carried_in") == (0, 0, 0, 0, 0, 0, 0)
    assert _row(c24, "public") == (1, 0, 0, 0, 0, 0, 1)
    assert _row(c24, "total") == (1, 0, 0, 0, 0, 0, 1)
    assert _row(c24, "carried_out") == (0, 1, 0, 1, 1, 0, 3)

    assert _row(c25, "new") == (4, 3, 4, 3, 3, 2, 19)
    assert _row(c25, "carried_in") == (0, 1, 0, 1, 1, 0, 3)
    expected_results = {
        "public": (0, 0, 0, 0, 1, 0, 1), "partial": (0, 1, 0, 0, 0, 0, 1),
        "deny_secret": (0, 0, 1, 0, 0, 0, 1), "deny_law": (0, 0, 0, 0, 1, 0, 1),
        "deny_safety": (1, 0, 0, 0, 0, 0, 1), "deny_third_party": (0, 1, 0, 0, 0, 0, 1),
        "deny_internal": (0, 0, 1, 0, 0, 0, 1), "deny_process": (0, 0, 0, 1, 0, 0, 1),
        "deny_enforcement": (0, 0, 0, 0, 1, 0, 1), "deny_inquiry": (0, 0, 0, 0, 0, 1, 1),
        "unable_none": (1, 0, 0, 0, 0, 0, 1), "unable_create": (0, 1, 0, 0, 0, 0, 1),
        "unable_unclear": (0, 0, 1, 0, 0, 0, 1), "reject_petition": (0, 0, 0, 1, 0, 0, 1),
        "reject_duplicate": (0, 0, 0, 0, 1, 0, 1), "reject_publication": (0, 0, 0, 0, 0, 1, 1),
        "reject_mass": (1, 0, 0, 0, 0, 0, 1), "reject_confirm": (0, 1, 0, 0, 0, 0, 1),
        "other_no_correction": (0, 0, 0, 1, 0, 0, 1), "other_no_fee": (0, 0, 1, 0, 0, 0, 1),
        "other": (0, 0, 0, 1, 0, 0, 1),
    }  # fmt: skip
    for row, values in expected_results.items():
        assert _row(c25, row) == values, row
    assert _row(c25, "total") == (3, 4, 4, 4, 4, 2, 21)
    assert _row(c25, "carried_out") == (1, 0, 0, 0, 0, 0, 1)
    # the 2019 layout folds （六） into one row
    assert _row(r25_2019["cells"], "other_all") == (0, 0, 1, 2, 0, 0, 3)
    assert "t3.other_no_fee.total" not in r25_2019["cells"]
    assert r24["errors"] == [] and r25["errors"] == [] and r25_2019["errors"] == []
    # table 四: 2025-11 case decided in 2026 is still 尚未审结 at the end of 2025
    t4 = {k: v for k, v in c25.items() if k.startswith("t4.") and v}
    assert t4 == {"t4.reconsideration.upheld": 1, "t4.reconsideration.pending": 1, "t4.reconsideration.total": 2,
                  "t4.litigation_direct.corrected": 1, "t4.litigation_direct.total": 1,
                  "t4.litigation_after.pending": 1, "t4.litigation_after.total": 1}
    # table 二 from AnnualFigures; the soft rule holds (10 + 2 − 1 = 11)
    assert (c25["t2.norms.made"], c25["t2.norms.in_force"], c25["t2.fees.amount"]) == (2, 11, 1.25)
    assert r25["warnings"] == []


def test_tally_items_and_rates_by_hand(engine, world):
    _load(engine, world)
    with Session(engine) as s:
        t24 = tally(s, org_id=world.org_id, year=2024)
        t25 = tally(s, org_id=world.org_id, year=2025)
    assert t24["items"]["portal"]["total"] == 1  # 23:30 on 31 December, Shanghai time
    items = t25["items"]
    assert items["published"] == 4 and items["full_text"] == 4 and items["on_application"] == 0
    assert items["portal"]["total"] == 2
    assert items["portal"]["by_topic"]["重大建设项目"] == 1 and items["portal"]["by_topic"]["科教文体卫生"] == 1
    assert items["portal"]["by_area"]["义务教育"] == 1 and items["portal"]["by_area"]["重大建设项目"] == 1
    assert items["mp"] == {"total": 3, "original": 1, "repost": 2}
    assert t25["interactions"]["total"] == {"count": 2, "participants": 420, "suggestions": 55}
    assert t25["interactions"]["interview"]["count"] == 0
    apps = t25["applications"]
    # 20 answered with a due date (E had none); C was one day late
    assert (apps["timed"], apps["on_time"], apps["on_time_rate"]) == (20, 19, 0.95)
    assert t24["applications"]["on_time_rate"] == 1.0


def test_report_sections_and_labels(engine, world):
    _load(engine, world)
    with Session(engine) as s:
        r = build_report(s, org_id=world.org_id, year=2025)
    assert r["title"] == "测试镇2025年政府信息公开工作年度报告"
    assert [x["heading"] for x in r["sections"]] == [
        "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
    overview = "".join(r["sections"][0]["paragraphs"])
    assert "通过政府门户网站主动公开政府信息2条" in overview
    assert "原创1条、转载2条" in overview and "按时答复率95.0%" in overview
    spec = LAYOUT_SPECS["2021"]
    assert [t["labels"] for t in r["tables"]] == [t.labels() for t in spec.tables()]


def test_year_without_data_is_an_empty_report(engine, world):
    with Session(engine) as s:
        r = build_report(s, org_id=world.org_id, year=2010)
    assert r["empty"] is True and r["errors"] == []
    assert "暂无政府信息公开相关数据" in r["sections"][0]["paragraphs"][0]
    assert all(v == 0 for v in r["cells"].values())
