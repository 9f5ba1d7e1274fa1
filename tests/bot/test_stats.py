"""统计 [年份] over encrypted WeCom callbacks: the same figures as `annual.tally` (both databases)."""

from __future__ import annotations

from sqlmodel import Session

from annual.registers.store import create_interaction
from annual.tally import tally
from content.importer import import_rows
from content.timeutil import local, utcnow
from tests.annual.report.fixture import load_applications
from tests.bot.conftest import bind, snapshot

ROWS = [
    ["发布日期", "渠道", "栏目", "目录领域", "来源", "标题", "链接"],
    ["2024-12-31 23:30", "门户网站", "重大建设项目", "重大建设项目", "原创", "年末通知", ""],
    ["2025-01-01 00:30", "门户网站、微信公众号", "重大建设项目", "重大建设项目", "原创", "元旦通知", ""],
    ["2025-03-01", "门户网站", "科教文体卫生", "义务教育", "原创", "开学通知", ""],
    ["2025-05-01", "微信公众号", "其他", "", "转载", "转发市里的通知", ""],
    ["2025-06-01", "微信公众号", "其他", "", "转载", "转发省里的通知", ""],
]


def _load(engine, world) -> None:
    with Session(engine) as s:
        load_applications(s, world.org_id)
        import_rows(s, org_id=world.org_id, rows=ROWS)
        create_interaction(s, org_id=world.org_id, actor=None, data={
            "kind": "survey", "title": "问卷", "starts_on": "2025-04-01", "participants": 300, "suggestions": 40})
        s.commit()


def test_year_figures_match_the_tally(chat, engine, world):
    bind(engine, world.head_a, wecom="head-a")
    _load(engine, world)
    with Session(engine) as s:
        expected = tally(s, org_id=world.org_id, year=2025)
    reply = chat.say("head-a", "统计 2025")
    lines = reply.split("\n")
    assert lines[0] == "测试镇 2025 年政务公开统计"
    assert lines[1] == "门户网站 2 条：重大建设项目 1、科教文体卫生 1"
    assert lines[2] == "公众号 3 条（原创 1，转载 2）"
    apps = expected["applications"]
    assert (f"公开申请：新收 {apps['new']['total']}，上年结转 {apps['carried_in']['total']}，"
            f"办结 {apps['closed']['total']}，结转下年 {apps['carried_out']['total']}；按时答复率 95.0%") in lines
    assert "互动交流 1 次（参与 300 人次）；复议诉讼 0 件" in lines
    assert len(reply) < 400  # read on a phone
    # Full-width digits, a trailing 年 and the alias give the same answer; 2024 has its own figures.
    assert chat.say("head-a", "年度统计　２０２５年") == reply
    y2024 = chat.say("head-a", "统计 2024")
    assert "门户网站 1 条：重大建设项目 1" in y2024 and "公众号 0 条" in y2024


def test_empty_year_says_so(chat, engine, world):
    bind(engine, world.head_a, wecom="head-a")
    _load(engine, world)
    assert chat.say("head-a", "统计 2010") == (
        "测试镇 2010 年暂无统计数据：没有已发布的信息，也没有依申请公开、互动交流或复议诉讼记录。")
    this_year = local(utcnow()).year
    assert chat.say("head-a", "统计").startswith(f"测试镇 {this_year} 年")


def test_bad_year_gets_a_clear_reply_and_changes_nothing(chat, engine, world):
    bind(engine, world.head_a, wecom="head-a")
    this_year = local(utcnow()).year
    before = snapshot(engine)["AuditEvent"]
    assert chat.say("head-a", "统计 abc").startswith("无法识别的年份：abc。")
    assert chat.say("head-a", "统计 1999").startswith(f"年份须在 2004–{this_year} 年之间：1999。")
    assert chat.say("head-a", f"统计 {this_year + 1}").startswith("年份须在")
    assert chat.say("head-a", "统计 2025 全部").startswith("无法识别的年份")
    assert snapshot(engine)["AuditEvent"] == before


def test_unbound_sender_gets_the_binding_hint(chat, engine, world):
    from bot.commands.texts import BIND_HINT

    assert chat.say("stranger", "统计 2025") == BIND_HINT
