"""统计 [年份]: the year's annual-report figures, the same `annual.tally` the CLI's `gongkai tally` prints.

Accepted: `统计` (this year), `统计 2025`, `统计 2025年`, `统计 去年` / `今年`, full-width digits. A year the
tally cannot cover (before 2004, after this year) or anything that is not a year gets a one-line answer.
"""

from __future__ import annotations

import re
from typing import Any

from annual.tally import tally
from annual.workdays import MIN_YEAR
from bot.commands.context import ChatContext
from bot.commands.parse import Command
from bot.commands.router import Router
from content.timeutil import local

router = Router("stats")
_YEAR = re.compile(r"^(\d+)\s*(?:年度?)?(?:统计)?$")
RELATIVE = {"今年": 0, "本年": 0, "本年度": 0, "去年": -1, "上年": -1, "上一年": -1, "前年": -2}
MAX_TOPICS = 5


def parse_year(cmd: Command, this_year: int) -> int | str:
    """The year asked for, or the Chinese reply explaining why the argument is not one."""
    arg = f"{cmd.digits}{cmd.rest}".strip() if cmd.digits else cmd.rest.strip()
    usage = f"请发送“统计”（本年）或“统计 {this_year - 1}”。"
    if not arg:
        return this_year
    if arg in RELATIVE:
        return this_year + RELATIVE[arg]
    match = _YEAR.match(arg)
    if not match:
        return f"无法识别的年份：{arg[:20]}。{usage}"
    year = int(match.group(1))
    if not MIN_YEAR <= year <= this_year:
        return f"年份须在 {MIN_YEAR}–{this_year} 年之间：{year}。{usage}"
    return year


@router.command("统计", "年度统计", "报表")
def show_tally(ctx: ChatContext, cmd: Command) -> str:
    year = parse_year(cmd, local(ctx.now).year)
    if isinstance(year, str):
        return year
    data = tally(ctx.session, org_id=ctx.user.org_id, year=year)
    return format_tally(data)


def _topics(by_topic: dict[str, int]) -> str:
    used = sorted(((n, name) for name, n in by_topic.items() if n), key=lambda p: -p[0])
    text = "、".join(f"{name} {n}" for n, name in used[:MAX_TOPICS])
    if len(used) > MAX_TOPICS:
        text += f" 等 {len(used)} 个栏目"
    return text


def format_tally(data: dict[str, Any]) -> str:
    """A compact reply for a phone screen: one line per block of the tally."""
    year, org = data["year"], data["org"]["name"]
    if data["empty"]:
        return f"{org} {year} 年暂无统计数据：没有已发布的信息，也没有依申请公开、互动交流或复议诉讼记录。"
    items, apps, inter = data["items"], data["applications"], data["interactions"]["total"]
    portal, mp = items["portal"], items["mp"]
    topics = _topics(portal["by_topic"])
    rate = "—" if apps["on_time_rate"] is None else f"{apps['on_time_rate'] * 100:.1f}%"
    appeals = data["appeals"]
    appeal_total = sum(group["total"] for group in appeals.values())
    appeal_pending = sum(group["pending"] for group in appeals.values())
    lines = [
        f"{org} {year} 年政务公开统计",
        f"门户网站 {portal['total']} 条" + (f"：{topics}" if topics else ""),
        f"公众号 {mp['total']} 条（原创 {mp['original']}，转载 {mp['repost']}）",
        f"依申请公开信息 {items['on_application']} 条，全文公开 {items['full_text']} 条",
        f"公开申请：新收 {apps['new']['total']}，上年结转 {apps['carried_in']['total']}，"
        f"办结 {apps['closed']['total']}，结转下年 {apps['carried_out']['total']}；按时答复率 {rate}",
        f"互动交流 {inter['count']} 次（参与 {inter['participants']} 人次）；复议诉讼 {appeal_total} 件"
        + (f"（尚未审结 {appeal_pending}）" if appeal_pending else ""),
    ]
    if items.get("normative_documents") is not None:
        lines.insert(4, f"规范性文件 {items['normative_documents']} 件")
    return "\n".join(lines)
