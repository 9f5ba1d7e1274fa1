"""`gongkai item list [--state S]` and `gongkai item show ID`."""

from __future__ import annotations

import typer
from sqlmodel import select

from app.cli_support import cli_session, die
from content import accounts
from content.models import CHANNEL_LABELS, GATE_LABELS, STATE_LABELS, Category, Department, ItemState, User
from content.timeutil import fmt_local

item_cli = typer.Typer(help="稿件查询", no_args_is_help=True)


def register(cli: typer.Typer) -> None:
    cli.add_typer(item_cli, name="item")


def _state_label(item) -> str:
    label = STATE_LABELS.get(item.state, item.state)
    if item.gate:
        label += f"·{GATE_LABELS.get(item.gate, item.gate)}"
    if item.review_incomplete:
        label += "（未完成审核）"
    return label


@item_cli.command("list")
def item_list(
    state: str | None = typer.Option(None, "--state", help="状态：" + " | ".join(s.value for s in ItemState)),
    limit: int = typer.Option(50, "--limit", min=1, max=500, help="最多显示条数"),
    org: str | None = typer.Option(None, "--org", help="机构代码"),
) -> None:
    """列出稿件（最近更新在前）。"""
    if state is not None and state not in {s.value for s in ItemState}:
        die(f"未知状态“{state}”，可选：{'、'.join(s.value for s in ItemState)}")
    from content import store

    with cli_session() as s:
        org_row = accounts.get_org(s, code=org)
        items = store.list_items(s, org_id=org_row.id, state=state, limit=limit)
        depts = {d.id: d.name for d in s.exec(select(Department).where(Department.org_id == org_row.id)).all()}
    if not items:
        typer.echo("（没有符合条件的稿件）")
        return
    typer.echo("\t".join(["编号", "状态", "部门", "更新时间", "标题"]))
    for it in items:
        typer.echo("\t".join([str(it.id), _state_label(it), depts.get(it.department_id, "—"),
                              fmt_local(it.updated_at), it.title]))


@item_cli.command("show")
def item_show(item_id: int = typer.Argument(..., help="稿件编号"),
              org: str | None = typer.Option(None, "--org", help="机构代码")) -> None:
    """显示一篇稿件的状态、当前审核环节、检查提示和审核记录。"""
    from content import store
    from content.review import chain as workflow

    with cli_session() as s:
        org_row = accounts.get_org(s, code=org)
        item = store.get_item(s, org_id=org_row.id, item_id=item_id)
        dept = s.get(Department, item.department_id)
        drafter = s.get(User, item.drafter_id)
        topic = s.get(Category, item.topic_id) if item.topic_id else None
        history = workflow.review_history(s, item_id=item.id)
        revisions = store.list_revisions(s, item_id=item.id)
    lines = [
        f"稿件 {item.id}：{item.title}",
        f"状态：{_state_label(item)}",
        f"部门：{dept.name if dept else '—'}    拟稿人：{drafter.name if drafter else '—'}",
        f"门户栏目：{topic.name if topic else '—'}    渠道：{'、'.join(CHANNEL_LABELS.get(c, c) for c in item.channels) or '—'}",
        f"敏感：{'是' if item.sensitive else '否'}    驳回次数：{item.rejection_count}    版本数：{len(revisions)}",
        f"计划发布：{fmt_local(item.publish_at) or '审核通过后立即'}    更新：{fmt_local(item.updated_at)}",
    ]
    if item.last_rejection_reason and item.state == ItemState.rejected:
        lines.append(f"驳回理由：{item.last_rejection_reason}")
    for w in item.check_warnings or []:
        lines.append(f"检查提示：{w.get('message', w)}")
    for number, review in enumerate(history, 1):
        lines.append(f"第 {number} 轮审核（{REVIEW_LABELS.get(review['state'], review['state'])}）：")
        lines.extend("  " + _step_line(step) for step in review["steps"])
    typer.echo("\n".join(lines))


REVIEW_LABELS = {"in_progress": "进行中", "approved": "已通过", "rejected": "已驳回", "voided": "已作废",
                 "recalled": "已撤回"}
DECISION_LABELS = {"pending": "待审核", "approved": "同意", "rejected": "驳回", "skipped": "紧急发布时跳过",
                   "voided": "已作废"}


def _step_line(step: dict) -> str:
    parts = [GATE_LABELS.get(step["gate"], step["gate"]), DECISION_LABELS.get(step["decision"], step["decision"])]
    if step.get("decided_by_name"):
        parts.append(step["decided_by_name"])
    if step.get("decided_at"):
        parts.append(fmt_local(step["decided_at"]))
    if step.get("after_the_fact"):
        parts.append("（事后补审）")
    text = "  ".join(parts)
    return text + (f"  意见：{step['comment']}" if step.get("comment") else "")
