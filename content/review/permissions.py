"""Who may do what to an item, and the review reads that answer it.

`available_actions(item, user)` is the single permission source for the web UI, the JSON API and the
bot; `refusal(facts, action)` says why an action is not allowed (in Chinese), and the review chain
(content/review/chain.py) asks the same function before applying anything.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from content.db import review_rows
from content.models import Decision, Gate, Item, ItemState, Review, ReviewState, ReviewStep, Role, User
from content.models.ids import pk
from content.review.facts import Facts
from content.review.rules import (
    ACTION_LABELS,
    DECIDING,
    GATE_ORDER,
    USER_ACTIONS,
    Action,
    Party,
    lookup,
    permission,
)


def active_review(session: Session, item_id: int) -> Review | None:
    return session.exec(
        select(Review).where(Review.item_id == item_id, Review.state == ReviewState.in_progress)
    ).first()


def latest_review(session: Session, item_id: int) -> Review | None:
    return review_rows.latest_review(session, item_id)


def steps_of(session: Session, review_id: int) -> list[ReviewStep]:
    return review_rows.steps_of(session, review_id)


def current_step(session: Session, item: Item) -> ReviewStep | None:
    return Facts(session, item, None).current_step


def decision_refusal(f: Facts, user: User, step: ReviewStep) -> str | None:
    """Why `user` may not decide `step`, or None when they may."""
    if user.org_id != f.item.org_id or not user.active:
        return "您无权审核此稿件"
    if user.id not in f.holders(step.gate):
        return _not_holder_message(step.gate)
    if user.id in f.authors:
        return "不能审核本人起草或修改过的稿件"
    if any(s.decided_by == user.id and s.id != step.id and s.decision == Decision.approved
           for s in f.steps(step.review_id)):
        return "同一稿件不能由同一人在两个审核环节审批"
    return None


NOT_HOLDER: dict[str, str] = {
    Gate.dept_head: "您不是该稿件所属部门的负责人，不能审核此环节",
    Gate.leader: "您不分管该稿件所属部门，不能审核此环节",
    Gate.principal: "此环节须由镇主要领导审核",
}


def _not_holder_message(gate: str) -> str:
    return NOT_HOLDER.get(gate, "您不是该环节的审核人")


def late_step_for(f: Facts, user: User) -> ReviewStep | None:
    """A gate skipped by an emergency publication that `user` may now approve after the fact."""
    if not f.item.review_incomplete:
        return None
    review = f.latest_review
    for step in f.steps(pk(review)) if review else []:
        if step.decision == Decision.skipped and decision_refusal(f, user, step) is None:
            return step
    return None


def refusal(f: Facts, action: str) -> str | None:
    """None when `f.user` may do `action` on `f.item` now; otherwise the reason in Chinese.

    Everything it reads comes from `f`, so asking for every action of one item costs one read of each fact.
    """
    item, user = f.item, f.user
    if user is None or user.org_id != item.org_id or not user.active:
        return "您无权操作此稿件"
    if lookup(item.state, item.gate, action) is None:
        return f"稿件当前状态下不能{ACTION_LABELS.get(action, action)}"
    if action in DECIDING:
        return _decision_refusal(f, user, action)
    rule = permission(action, item.state)
    if rule is None:
        return "未知操作"
    if rule.sensitive is not None and item.sensitive != rule.sensitive:
        return rule.sensitive_refusal
    if not any(_is(f, user, party) for party in rule.who):
        return rule.refusal
    if rule.authors_refusal and user.id in f.authors:
        return rule.authors_refusal
    return None


def _is(f: Facts, user: User, party: Party) -> bool:
    """Whether `user` is `party` to the item of `f`."""
    if party == Party.drafter:
        return user.id == f.item.drafter_id
    if party == Party.admin:
        return Role.admin in f.roles
    if party == Party.current_reviewer:
        step = f.current_step
        return step is not None and user.id in f.holders(step.gate)
    if party == Party.reviewer:
        return any(user.id in f.holders(gate) for gate in GATE_ORDER)
    return user.id in f.holders(Gate(party))  # leader, principal: the holders of that gate


def _decision_refusal(f: Facts, user: User, action: str) -> str | None:
    """同意/驳回: the current step's rules; after an emergency publication, a skipped gate's (同意 only)."""
    if f.item.state != ItemState.in_review:
        step = late_step_for(f, user) if action == Action.approve else None
        return None if step else "该稿件没有待您审核的环节"
    step = f.current_step
    return decision_refusal(f, user, step) if step else "该稿件没有待审核的环节"


def available_actions(session: Session, item: Item, user: User) -> list[str]:
    """The single permission source for the web UI, the JSON API and the bot."""
    f = Facts(session, item, user)
    return [a for a in USER_ACTIONS if refusal(f, a) is None]


def pending_reviews(session: Session, *, user: User) -> list[Item]:
    """Items whose current gate `user` may decide now, plus emergency items awaiting their approval."""
    candidates = session.exec(
        select(Item).where(Item.org_id == user.org_id,
                           (col(Item.state) == ItemState.in_review) | (col(Item.review_incomplete).is_(True)))
        .order_by(col(Item.submitted_at), col(Item.id))
    ).all()
    return [item for item in candidates if refusal(Facts(session, item, user), Action.approve) is None]


def review_history(session: Session, *, item_id: int) -> list[dict]:
    """Every review of the item with its steps, oldest first."""
    names: dict[int, str | None] = {}
    out = []
    for review in session.exec(select(Review).where(Review.item_id == item_id).order_by(col(Review.id))):
        steps = []
        for step in steps_of(session, pk(review)):
            if step.decided_by and step.decided_by not in names:
                decider = session.get(User, step.decided_by)
                names[step.decided_by] = decider.name if decider is not None else None
            steps.append({
                "gate": step.gate, "decision": step.decision, "decided_by": step.decided_by,
                "decided_by_name": names.get(step.decided_by) if step.decided_by else None, "decided_at": step.decided_at,
                "comment": step.comment, "channel": step.channel, "content_hash": step.content_hash,
                "after_the_fact": step.after_the_fact, "assignee_ids": step.assignee_ids,
            })  # fmt: skip
        out.append({"review_id": review.id, "revision_id": review.revision_id, "state": review.state,
                    "started_at": review.started_at, "finished_at": review.finished_at, "steps": steps})
    return out
