"""Decisions from chat: always through the core's `apply_action` (whose permission check is the one
`available_actions` uses; 查看 and the cards show `available_actions` to the user).

The bot has no rules of its own: when the core says no, its DomainError message is the answer
(e.g. "该环节已由某某处理", or why the user is not entitled).
"""

from __future__ import annotations

from bot.commands.context import ChatContext
from content.errors import DomainError
from content.models import GATE_LABELS, STATE_LABELS, Item, Revision
from content.review.chain import apply_action
from content.store import get_item

VERBS = {"approve": "同意", "reject": "驳回", "flag_sensitive": "标记敏感"}


def label(item: Item) -> str:
    return f"#{item.id}《{item.title}》"


def load_item(ctx: ChatContext, item_id: int) -> Item:
    assert ctx.user is not None
    return get_item(ctx.session, org_id=ctx.user.org_id, item_id=item_id)


def decide(ctx: ChatContext, item_id: int, action: str, *, comment: str | None = None,
           reason: str | None = None, revision_id: int | None = None) -> tuple[bool, str]:
    """Apply one action; (done, reply).

    A refusal rolls the message's transaction back, so it changes nothing (the pipeline then stores
    the reply in a fresh one). A handler that must keep a write whatever the outcome makes it after
    deciding. This replaces a savepoint around every decision: SAVEPOINT and RELEASE cost about a
    sixth of a callback's database time, and refusals are the rare case.
    """
    assert ctx.user is not None
    try:
        # apply_action reads the item (locked, scoped to the actor's org) and asks the same permission
        # source as available_actions, raising the core's reason when the action is not available;
        # reading the item here as well, or asking twice, would double the cost.
        item = apply_action(ctx.session, item_id=item_id, actor=ctx.user, action=action, comment=comment,
                            reason=reason, content_hash=_seen_hash(ctx, item_id, revision_id),
                            channel=ctx.channel)
    except DomainError as exc:
        ctx.session.rollback()
        prefix = f"#{item_id}：" if exc.code in ("item_not_found",) else f"#{item_id} "
        return False, (exc.message if exc.code == "item_not_found" else prefix + exc.message)
    return True, _done_text(item, action, reason)


def _seen_hash(ctx: ChatContext, item_id: int, revision_id: int | None) -> str | None:
    """The content hash the approver saw: the card's revision. None for typed commands (and unknown
    revisions): the approver saw no particular revision, so the core checks against the current one."""
    if revision_id is not None:
        revision = ctx.session.get(Revision, revision_id)
        if revision is not None and revision.item_id == item_id:
            return revision.content_hash
    return None


def _done_text(item: Item, action: str, reason: str | None) -> str:
    head = f"已{VERBS.get(action, action)} {label(item)}"
    if action == "reject":
        return f"{head}，理由：{reason}。已通知拟稿人。"
    if action == "flag_sensitive":
        return f"{head}，将增加主要领导审核。"
    if item.state == "in_review" and item.gate:
        return f"{head}，已转{GATE_LABELS.get(item.gate, item.gate)}。"
    return f"{head}。当前状态：{STATE_LABELS.get(item.state, item.state)}。"
