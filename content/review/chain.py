"""The review chain: one apply function over the transition table, one permission source.

Every entry point (web, API, WeCom, official account, CLI, scheduler) goes through
`apply_action` / `edit_item` and asks `available_actions`. Each transition writes its audit
event and its notifications in the caller's transaction; the caller commits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session, col, select

from content.db import review_rows
from content.db.review_rows import record_notification as notify
from content.db.rowbuffer import action_rows, record_audit
from content.errors import Conflict, Forbidden, Invalid
from content.models import (
    Decision,
    Item,
    ItemState,
    Publication,
    Review,
    ReviewState,
    ReviewStep,
    Revision,
    User,
)
from content.models.ids import pk
from content.outbox import cancel_unsent, create_publications, request_withdrawal
from content.review.facts import Facts
from content.review.permissions import (
    active_review,
    available_actions,
    current_step,
    late_step_for,
    latest_review,
    pending_reviews,
    refusal,
    review_history,
)
from content.review.reviewers import gate_assignee_ids, gate_assignees
from content.review.rules import (
    ACTION_LABELS,
    DECIDING,
    EDITABLE_WAITING,
    FIRST,
    GATE_ORDER,
    NEXT,
    REASON_REQUIRED,
    RECHECK,
    SAME,
    USER_ACTIONS,
    Action,
    lookup,
    required_gates,
)
from content.store import apply_edit, get_item, run_checks
from content.timeutil import fmt_local, utcnow

STALE_MESSAGE = "稿件已修改，请重新查看（刷新页面）后再审核"

T = TypeVar("T")


def _present(value: T | None, what: str) -> T:
    """A row the chain's state promises (an item in review has its review and current step): a 409, not a crash."""
    if value is None:
        raise Conflict("state_inconsistent", f"稿件审核记录不完整（缺少{what}），请刷新后重试")
    return value


def _who(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id is not None else None
    return user.name if user is not None else "他人"

__all__ = [  # the review chain's public face; the reads are re-exported from content.review.permissions
    "active_review", "apply_action", "available_actions", "current_step", "edit_item", "gate_assignees",
    "get_item", "latest_review", "mark_published", "pending_reviews", "review_history", "void_approval",
]  # fmt: skip


# ---------------------------------------------------------------------------- user actions

def apply_action(
    session: Session,
    *,
    item_id: int,
    actor: User,
    action: str,
    comment: str | None = None,
    reason: str | None = None,
    content_hash: str | None = None,
    channel: str = "web",
) -> Item:
    """Apply one user action through the transition table. Raises DomainError; the caller commits."""
    if action not in USER_ACTIONS or action == Action.edit:
        raise Invalid("unknown_action", f"未知操作：{action}")
    with action_rows(session):
        return _apply(session, item_id=item_id, actor=actor, action=action, comment=comment, reason=reason,
                      content_hash=content_hash, channel=channel)


def _apply(session: Session, *, item_id: int, actor: User, action: str, comment, reason, content_hash,
           channel: str) -> Item:
    item = get_item(session, org_id=actor.org_id, item_id=item_id, for_update=True)
    f = Facts(session, item, actor)
    why_not = refusal(f, action)
    if why_not is not None:
        if action in DECIDING:
            _raise_if_moved_on(f, actor, content_hash)
        raise Forbidden("not_allowed", why_not, action=action)
    reason = (reason or "").strip() or None
    if action in REASON_REQUIRED and not reason:
        raise Invalid("reason_required", f"{ACTION_LABELS[action]}必须填写理由", field="reason")
    handler = _HANDLERS[action]
    return handler(session, item, actor, comment=(comment or "").strip() or None, reason=reason,
                   content_hash=content_hash, channel=channel, f=f)


def _stale(current: str) -> Conflict:
    return Conflict("stale_content", STALE_MESSAGE, current_hash=current)


def _raise_if_moved_on(f: Facts, actor: User, seen_hash: str | None) -> None:
    """A refused 同意/驳回 because the item moved on since the actor looked (a second tab, a co-reviewer,
    an edit, a recall) is told so, before any role reason: "您不分管…" to a head whose own other tab
    already approved names the wrong cause. One rule for web, API and bot (they all come through here)."""
    if seen_hash and seen_hash != f.content_hash:
        raise _stale(f.content_hash)
    step = _decided_step_of(f, actor)
    if step is not None:
        who = "您" if step.decided_by == actor.id else _who(f.session, step.decided_by)
        verb = "驳回" if step.decision == Decision.rejected else "同意"
        raise Conflict("already_decided", f"该环节已由{who}处理（{fmt_local(step.decided_at)} {verb}），无需重复操作",
                       decided_by=who, decision=step.decision)
    review = f.latest_review
    if f.item.state == ItemState.draft and review is not None and review.state == ReviewState.recalled:
        raise Conflict("not_in_review", "稿件已被起草人撤回修改，当前无需审核")


def _decided_step_of(f: Facts, actor: User) -> ReviewStep | None:
    """The latest decided step of the latest review that `actor` was assigned to (or decided), unless
    they are an assignee of the gate pending now (then the refusal is about them at that gate)."""
    review = f.latest_review
    if review is None:
        return None
    pending = f.current_step if f.item.state == ItemState.in_review else None
    if pending is not None and actor.id in (pending.assignee_ids or []):
        return None
    mine = [s for s in f.steps(pk(review)) if s.decision in (Decision.approved, Decision.rejected)
            and (s.decided_by == actor.id or actor.id in (s.assignee_ids or []))]
    return mine[-1] if mine else None


def _resolve(item: Item, target: tuple[str, str | None], after: str | None) -> tuple[str, str | None]:
    """Turn the table's sentinels into a concrete (state, gate) for this item."""
    state, gate = target
    if state == SAME:
        return item.state, item.gate
    if FIRST in (state, gate):
        return ItemState.in_review, _next_gate(item, None)
    if state == RECHECK:
        if item.gate in required_gates(item):
            return item.state, item.gate
        state = NEXT
        after = item.gate
    if state == NEXT:
        following = _next_gate(item, after)
        return (ItemState.in_review, following) if following else (ItemState.approved, None)
    return state, gate


def _transition(
    session: Session, item: Item, actor: User | None, action: str, *, channel: str, after: str | None = None,
    **data,
) -> tuple[str, str | None]:
    """Apply the table's row for (state, gate, action) and record the audit event (same transaction)."""
    target = lookup(item.state, item.gate, action)
    if target is None:
        raise Conflict("invalid_transition", f"稿件当前状态下不能{ACTION_LABELS.get(action, action)}")
    before = (item.state, item.gate)
    item.state, item.gate = _resolve(item, target, after)
    item.version += 1
    item.updated_at = utcnow()
    record_audit(session, org_id=item.org_id, action=f"item.{action}", target_type="item", target_id=item.id,
                 actor=actor, actor_label="" if actor else "system", channel=channel,
                 from_state=before[0], from_gate=before[1], to_state=item.state, to_gate=item.gate, **data)
    return item.state, item.gate


def _open_review(session: Session, item: Item, actor: User) -> Review:
    review = Review(org_id=item.org_id, item_id=pk(item), revision_id=_present(item.current_revision_id, "当前版本"),
                    started_by=pk(actor))
    session.add(review)
    session.flush()
    return review


def _open_step(f: Facts, review: Review, gate: str) -> int:
    """Open the step of `gate` and tell its assignees; returns the step's id."""
    session, item = f.session, f.item
    assignees = gate_assignee_ids(session, item, gate, f.authors)
    step_id = review_rows.insert_step(session, org_id=item.org_id, review_id=pk(review), item_id=pk(item), gate=gate,
                                      assignee_ids=assignees, opened_at=utcnow())
    notify(session, item, assignees, "review.pending", step_id=step_id, gate=gate)
    return step_id


def _next_gate(item: Item, after: str | None) -> str | None:
    gates = required_gates(item)
    if after is None:
        return gates[0]
    later = [g for g in gates if GATE_ORDER.index(g) > GATE_ORDER.index(after)]
    return later[0] if later else None


def _check_reviewers(f: Facts) -> None:
    for gate in required_gates(f.item):
        if not (f.holders(gate) - f.authors):
            from content.models import GATE_LABELS

            raise Invalid("no_reviewer", f"“{GATE_LABELS[gate]}”环节没有可审核的人员，请联系管理员设置")


def _submit(session, item, actor, *, channel, f: Facts, **_):
    seen = f.content_hash  # reads first, so the writes below go out in one flush
    checks = run_checks(session, item)
    if not checks.ok:
        raise Invalid("checks_failed", "稿件检查未通过：" + "；".join(e["message"] for e in checks.errors),
                      errors=checks.errors, warnings=checks.warnings)
    if checks.flags_sensitive and not item.sensitive:
        item.sensitive = True
        record_audit(session, org_id=item.org_id, action="item.flag_sensitive", target_type="item",
                     target_id=item.id, actor_label="敏感词检查", by_check=True)
    _check_reviewers(f)
    item.check_warnings = checks.warnings
    item.submitted_at = utcnow()
    _state, gate = _transition(session, item, actor, Action.submit, channel=channel,
                               revision_id=item.current_revision_id, content_hash=seen, warnings=len(checks.warnings))
    _open_step(f, _open_review(session, item, actor), _present(gate, "审核环节"))
    return item


def _approve(session, item, actor, *, comment, content_hash, channel, f: Facts, **_):
    seen = f.content_hash
    if content_hash and content_hash != seen:
        raise _stale(seen)
    if item.state != ItemState.in_review:
        return _approve_late(f, actor, comment=comment, seen=seen, channel=channel)
    step = _present(f.current_step, "当前审核环节")
    review = _present(f.active_review, "进行中的审核")
    _decide(session, step, actor, Decision.approved, comment=comment, content_hash=seen, channel=channel)
    state, gate = _transition(session, item, actor, Action.approve, channel=channel, after=step.gate, gate=step.gate,
                              comment=comment, content_hash=seen)
    if state == ItemState.in_review:
        _open_step(f, review, _present(gate, "下一审核环节"))
        notify(session, item, [item.drafter_id], "item.step_approved", step_id=step.id, gate=step.gate, by=actor.name)
        return item
    _finish_approval(session, item, review, actor, channel=channel, content_hash=seen)
    return item


def _decide(session, step: ReviewStep, actor: User, decision: str, *, comment, content_hash, channel) -> None:
    """Compare-and-set on the step: when two people act at once exactly one decision is stored."""
    values = dict(decision=decision, decided_by=actor.id, decided_at=utcnow(), comment=comment,
                  channel=channel, content_hash=content_hash, after_the_fact=step.decision == Decision.skipped)
    if not review_rows.decide_step(session, step, values):
        session.refresh(step)
        who = _who(session, step.decided_by)
        raise Conflict("already_decided", f"该环节已由{who}处理", decided_by=who)


def _finish_approval(session, item: Item, review: Review, actor: User | None, *, channel: str,
                     content_hash: str) -> None:
    now = utcnow()
    review.state, review.finished_at = ReviewState.approved, now
    item.approved_revision_id, item.approved_at = item.current_revision_id, now
    create_publications(session, item, review, emergency=item.emergency, content_hash=content_hash)
    notify(session, item, [item.drafter_id], "item.approved")
    if item.publish_at and item.publish_at > now and not item.emergency:
        _transition(session, item, actor, Action.schedule, channel=channel, publish_at=item.publish_at.isoformat())


def _approve_late(f: Facts, actor, *, comment, seen, channel):
    session, item = f.session, f.item
    step = _present(late_step_for(f, actor), "可补签的审核环节")
    approved = _present(session.get(Revision, item.approved_revision_id), "已审定版本")
    _decide(session, step, actor, Decision.approved, comment=comment, content_hash=approved.content_hash,
            channel=channel)
    remaining = [s for s in f.steps(step.review_id) if s.decision == Decision.skipped]
    if not remaining:
        item.review_incomplete = False
    _transition(session, item, actor, Action.approve, channel=channel, gate=step.gate, comment=comment,
                after_the_fact=True, complete=not remaining)
    return item


def _reject(session, item, actor, *, reason, content_hash, channel, f: Facts, **_):
    step, seen = _present(f.current_step, "当前审核环节"), f.content_hash
    review = _present(f.active_review, "进行中的审核")
    if content_hash and content_hash != seen:
        raise _stale(seen)
    _decide(session, step, actor, Decision.rejected, comment=reason, content_hash=seen, channel=channel)
    review.state, review.finished_at = ReviewState.rejected, utcnow()
    item.rejection_count += 1
    item.last_rejection_reason = reason
    _transition(session, item, actor, Action.reject, channel=channel, gate=step.gate, reason=reason,
                rejection_count=item.rejection_count)
    notify(session, item, [item.drafter_id], "item.rejected", reason=reason, by=actor.name, gate=step.gate,
           rejection_count=item.rejection_count)
    return item


def _close_review(f: Facts, state: str) -> None:
    session, review = f.session, f.active_review
    if review is None:
        return
    review_rows.void_pending_steps(session, pk(review))
    review.state, review.finished_at = state, utcnow()
    session.flush()
    f.forget_steps()


def _recall(session, item, actor, *, channel, f: Facts, **_):
    _close_review(f, ReviewState.recalled)
    _transition(session, item, actor, Action.recall, channel=channel)
    return item


def _flag(session, item, actor, *, channel, comment, f: Facts, **_):
    item.sensitive = True
    if item.state in EDITABLE_WAITING:
        cancel_unsent(session, item)
        review = _present(f.latest_review, "审核记录")
        review.state, review.finished_at = ReviewState.in_progress, None
        session.flush()
        _state, gate = _transition(session, item, actor, Action.flag_sensitive, channel=channel, comment=comment)
        _open_step(f, review, _present(gate, "审核环节"))
        return item
    _transition(session, item, actor, Action.flag_sensitive, channel=channel, comment=comment)
    return item


def _clear(session, item, actor, *, channel, comment, f: Facts, **_):
    item.sensitive = False
    step, review = f.current_step, f.active_review
    seen = f.content_hash
    state, _gate = _transition(session, item, actor, Action.clear_sensitive, channel=channel, comment=comment)
    if step is not None and state == ItemState.approved:  # the principal gate was the only one left
        step.decision = Decision.voided
        _finish_approval(session, item, _present(review, "进行中的审核"), actor, channel=channel, content_hash=seen)
    return item


def _emergency(session, item, actor, *, reason, channel, f: Facts, **_):
    review, step = _present(f.active_review, "进行中的审核"), _present(f.current_step, "当前审核环节")
    seen, authors = f.content_hash, f.authors
    skipped = [g for g in required_gates(item) if GATE_ORDER.index(g) >= GATE_ORDER.index(step.gate)]
    step.decision = Decision.skipped
    for gate in skipped[1:]:
        session.add(ReviewStep(org_id=item.org_id, review_id=pk(review), item_id=pk(item), gate=gate,
                               assignee_ids=gate_assignee_ids(session, item, gate, authors),
                               decision=Decision.skipped, opened_at=utcnow()))
    item.emergency = True
    item.review_incomplete = True
    _transition(session, item, actor, Action.emergency_publish, channel=channel, reason=reason, skipped_gates=skipped,
                content_hash=seen)
    _finish_approval(session, item, review, actor, channel=channel, content_hash=seen)
    return item


def _withdraw(session, item, actor, *, reason, channel, **_):
    affected = request_withdrawal(session, item, reason=reason)
    _transition(session, item, actor, Action.withdraw, channel=channel, reason=reason, publications=affected)
    return item


def _archive(session, item, actor, *, channel, **_):
    _transition(session, item, actor, Action.archive, channel=channel)
    return item


_HANDLERS: dict[str, Callable[..., Item]] = {
    Action.submit: _submit, Action.approve: _approve, Action.reject: _reject, Action.recall: _recall,
    Action.flag_sensitive: _flag, Action.clear_sensitive: _clear, Action.emergency_publish: _emergency,
    Action.withdraw: _withdraw, Action.archive: _archive,
}  # fmt: skip


def edit_item(session: Session, *, item: Item, actor: User, fields: dict, channel: str = "web") -> Item:
    """Edit; an edit after any approval (or by a reviewer) voids the review and restarts at the first gate."""
    with action_rows(session):
        return _edit(session, item=item, actor=actor, fields=fields, channel=channel)


def _edit(session: Session, *, item: Item, actor: User, fields: dict, channel: str) -> Item:
    item = get_item(session, org_id=actor.org_id, item_id=pk(item), for_update=True)
    why_not = refusal(Facts(session, item, actor), Action.edit)
    if why_not is not None:
        if lookup(item.state, item.gate, Action.edit) is None:
            raise Conflict("not_editable", "已发布、撤稿或归档的稿件不能修改")
        raise Forbidden("edit_locked", why_not)
    fields = dict(fields)
    sensitive = fields.pop("sensitive", None)
    if sensitive is False and item.sensitive:
        raise Forbidden("not_allowed", "取消敏感标记请使用“取消敏感”操作（仅分管领导或主要领导）")
    revision = apply_edit(session, item, actor, fields)
    if sensitive and not item.sensitive:  # the flag is a transition of its own, audited, never a silent edit
        apply_action(session, item_id=pk(item), actor=actor, action=Action.flag_sensitive, channel=channel)
    if revision is None:
        return item
    record_audit(session, org_id=item.org_id, action="item.edit", target_type="item", target_id=item.id,
                 actor=actor, channel=channel, revision=revision.number, content_hash=revision.content_hash,
                 state=item.state)
    if item.state in (ItemState.draft, ItemState.rejected):
        return item
    cancel_unsent(session, item)
    f = Facts(session, item, actor)  # read after the new revision and any flag: both change the facts
    _close_review(f, ReviewState.voided)
    if item.state in EDITABLE_WAITING:
        latest = _present(latest_review(session, pk(item)), "审核记录")
        latest.state = ReviewState.voided
    item.approved_revision_id = None
    item.review_incomplete = False
    _state, gate = _transition(session, item, actor, Action.edit, channel=channel, restarted=True,
                               content_hash=revision.content_hash)
    _open_step(f, _open_review(session, item, actor), _present(gate, "审核环节"))
    if actor.id != item.drafter_id:
        notify(session, item, [item.drafter_id], "item.voided", reason=f"{actor.name}修改了稿件，审核重新开始")
    return item


# ---------------------------------------------------------------------------- system transitions

def mark_published(session: Session, *, item_id: int, item: Item | None = None) -> Item:
    """Every chosen channel confirmed: the item is published. `item`: already read FOR UPDATE by the caller."""
    if item is None or item.id != item_id:
        item = _present(session.get(Item, item_id, with_for_update=True), "稿件")
    if item.state == ItemState.published:
        return item
    with action_rows(session):
        item.published_at = utcnow()
        _transition(session, item, None, Action.publish, channel="scheduler")
        notify(session, item, [item.drafter_id], "item.published")
    return item


def void_approval(session: Session, *, item_id: int, reason: str) -> Item:
    """The content no longer matches the approval (checked at publish time): back to the first gate."""
    item = _present(session.get(Item, item_id, with_for_update=True), "稿件")
    if item.state not in EDITABLE_WAITING:
        return item
    with action_rows(session):
        return _void(session, item, reason)


def _void(session: Session, item: Item, reason: str) -> Item:
    cancel_unsent(session, item)
    latest = latest_review(session, pk(item))
    if latest is not None:
        latest.state = ReviewState.voided
    item.approved_revision_id = None
    item.review_incomplete = False
    _state, gate = _transition(session, item, None, Action.void, channel="scheduler", reason=reason)
    drafter = _present(session.get(User, item.drafter_id), "拟稿人")
    _open_step(Facts(session, item, None), _open_review(session, item, drafter), _present(gate, "审核环节"))
    notify(session, item, [item.drafter_id], "item.voided", reason=reason)
    return item


def publications_of(session: Session, item_id: int) -> list[Publication]:
    return list(session.exec(select(Publication).where(Publication.item_id == item_id).order_by(col(Publication.id))))
