"""待审, 查看, 同意, 驳回, 敏感, 取消; card taps (template_card_event); the reason after a card 驳回."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import delete, select

from bot.commands.context import ChatContext
from bot.commands.decide import decide, label
from bot.commands.parse import Command
from bot.commands.router import Router
from bot.models import PendingReason
from content.access import item_for_viewer
from content.errors import DomainError
from content.models import GATE_LABELS, STATE_LABELS, Department, Item, User
from content.preview import preview_path
from content.review.chain import available_actions, pending_reviews
from content.text_clean import clean_text
from content.timeutil import fmt_local

router = Router("review")
REASON_TTL = timedelta(minutes=30)
CARD_LABELS = {"approve": "已同意", "reject": "已驳回"}
ACTION_HINTS = {"approve": "同意 {n} [意见]", "reject": "驳回 {n} 理由", "flag_sensitive": "敏感 {n}"}
MAX_LIST = 10


def _need_number(cmd: Command, usage: str) -> str | None:
    return None if cmd.number is not None else f"请写明稿件编号，例如：{usage}"


def _visible(ctx: ChatContext, item_id: int) -> Item:
    """The item if the sender may see it (the web's and API's rule); otherwise the same refusal as a missing one."""
    assert ctx.user is not None
    return item_for_viewer(ctx.session, ctx.user, item_id)


def _hidden_reply(ctx: ChatContext, item_id: int) -> str | None:
    try:
        _visible(ctx, item_id)
    except DomainError as exc:
        return exc.message
    return None


@router.command("待审", "待办", "待审核", "我的待办", "待批")
def pending(ctx: ChatContext, _cmd: Command) -> str:
    items = pending_reviews(ctx.session, user=ctx.user)
    if not items:
        return "暂无待审稿件。"
    lines = [f"待审稿件 {len(items)} 件："]
    for item in items[:MAX_LIST]:
        dept = ctx.session.get(Department, item.department_id)
        gate = GATE_LABELS.get(item.gate or "", "补审") if item.state == "in_review" else "紧急发布后补审"
        lines.append(f"{label(item)} {dept.name if dept else ''}·{gate}")
    if len(items) > MAX_LIST:
        lines.append(f"……另有 {len(items) - MAX_LIST} 件，请在网页端查看。")
    lines.append("回复“查看 编号”看详情，“同意 编号”或“驳回 编号 理由”处理。")
    return "\n".join(lines)


@router.command("查看", "详情", "查")
def show(ctx: ChatContext, cmd: Command) -> str:
    problem = _need_number(cmd, "查看 12")
    if problem:
        return problem
    try:
        item = _visible(ctx, cmd.number)
    except DomainError as exc:
        return exc.message
    drafter = ctx.session.get(User, item.drafter_id)
    dept = ctx.session.get(Department, item.department_id)
    lines = [
        label(item),
        f"状态：{STATE_LABELS.get(item.state, item.state)}"
        + (f"（{GATE_LABELS.get(item.gate, item.gate)}）" if item.state == "in_review" and item.gate else ""),
        f"拟稿：{drafter.name if drafter else ''}（{dept.name if dept else ''}）  提交：{fmt_local(item.submitted_at)}",
    ]
    if item.sensitive:
        lines.append("已标记为敏感稿件。")
    if item.rejection_count:
        lines.append(f"已被驳回 {item.rejection_count} 次，上次理由：{item.last_rejection_reason or ''}")
    if item.check_warnings:
        lines.append(f"检查提示 {len(item.check_warnings)} 条，请在预览页查看。")
    if item.current_revision_id:
        path = preview_path(ctx.settings.secret_key.get_secret_value(), item_id=item.id,
                            revision_id=item.current_revision_id)
        lines.append(f"预览：{ctx.settings.public_url.rstrip('/')}{path}")
    hints = [ACTION_HINTS[a].format(n=item.id) for a in available_actions(ctx.session, item, ctx.user)
             if a in ACTION_HINTS]
    lines.append("可操作：" + "；".join(hints) if hints else "您当前无需处理此稿件。")
    return "\n".join(lines)


@router.command("同意", "通过", "批准", "审核通过", "同意发布")
def approve(ctx: ChatContext, cmd: Command) -> str:
    problem = _need_number(cmd, "同意 12 [意见]")
    return problem or _hidden_reply(ctx, cmd.number) or decide(ctx, cmd.number, "approve", comment=cmd.rest or None)[1]


@router.command("驳回", "退回", "不同意", "拒绝", "不通过")
def reject(ctx: ChatContext, cmd: Command) -> str:
    problem = _need_number(cmd, "驳回 12 理由")
    if problem:
        return problem
    if not cmd.rest:
        return f"驳回必须写明理由，例如：驳回 {cmd.number} 数据需核实"
    return _hidden_reply(ctx, cmd.number) or decide(ctx, cmd.number, "reject", reason=cmd.rest)[1]


@router.command("敏感", "标记敏感", "重大")
def flag(ctx: ChatContext, cmd: Command) -> str:
    problem = _need_number(cmd, "敏感 12")
    return problem or _hidden_reply(ctx, cmd.number) or decide(ctx, cmd.number, "flag_sensitive", comment=cmd.rest or None)[1]


@router.command("取消")
def cancel(ctx: ChatContext, _cmd: Command) -> str:
    gone = ctx.session.exec(delete(PendingReason).where(PendingReason.user_id == ctx.user.id)).rowcount
    return "已取消驳回。" if gone else "当前没有需要取消的操作。"


@router.event("template_card_event")
def card_tap(ctx: ChatContext) -> str:
    """EventKey is "gk:<approve|reject>:<item>:<revision>" (set by bot.notify when it sent the card)."""
    parts = ctx.inbound.event_key.split(":")
    if len(parts) != 4 or parts[0] != "gk" or parts[1] not in CARD_LABELS or not all(p.isdigit() for p in parts[2:]):
        return "无法识别的卡片操作。"
    action, item_id, revision_id = parts[1], int(parts[2]), int(parts[3])
    code = ctx.inbound.response_code
    refused = _hidden_reply(ctx, item_id)
    if refused:
        return refused
    if action == "approve":
        done, text = decide(ctx, item_id, "approve", revision_id=revision_id)
        if code:
            ctx.after.card_updates.append((ctx.inbound.sender, code, "已同意" if done else "已处理"))
        return text
    item = _visible(ctx, item_id)
    if "reject" not in available_actions(ctx.session, item, ctx.user):
        done, text = decide(ctx, item_id, "reject", reason="-", revision_id=revision_id)  # core says why
        if code and not done:
            ctx.after.card_updates.append((ctx.inbound.sender, code, "已处理"))
        return text
    ctx.session.exec(delete(PendingReason).where(PendingReason.user_id == ctx.user.id))
    ctx.session.add(PendingReason(org_id=ctx.user.org_id, user_id=ctx.user.id, item_id=item.id,
                                  revision_id=revision_id, channel=ctx.channel, response_code=code or None,
                                  expires_at=ctx.now + REASON_TTL))
    return f"请直接回复驳回 {label(item)} 的理由（30 分钟内有效；发送“取消”放弃）。"


def free_text(ctx: ChatContext) -> str | None:
    """Text that is no command: the reason for a pending card 驳回, if one is waiting."""
    pending_reason = ctx.session.exec(select(PendingReason).where(PendingReason.user_id == ctx.user.id)).first()
    if pending_reason is None:
        return None
    if pending_reason.expires_at <= ctx.now:
        ctx.session.delete(pending_reason)
        return None
    reason_id, item_id, revision_id, code = (pending_reason.id, pending_reason.item_id, pending_reason.revision_id,
                                             pending_reason.response_code)
    done, text = decide(ctx, item_id, "reject", reason=clean_text(ctx.inbound.content).strip(),
                        revision_id=revision_id)
    # Used up either way; deleted after deciding because a refusal rolls the transaction back.
    ctx.session.exec(delete(PendingReason).where(PendingReason.id == reason_id))
    if code:
        ctx.after.card_updates.append((ctx.inbound.sender, code, "已驳回" if done else "已处理"))
    return text
