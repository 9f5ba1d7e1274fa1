"""Who may do what to an item, and the review reads that answer it.

`available_actions(item, user)` is the single permission source for the web UI, the JSON API and the
bot; `refusal(facts, action)` says why an action is not allowed (in Chinese), and the review chain
(content/review/chain.py) asks the same function before applying anything.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from content.models import Decision, Item, Review, ReviewState, ReviewStep, Role, User
from content.review.facts import Facts
from content.review.reviewers import GATE_ORDER
from content.review.rules import ACTION_LABELS, USER_ACTIONS, lookup

DECIDING = ("approve", "reject")


def active_review(session: Session, item_id: int) -> Review | None:
    return session.exec(
        select(Review).where(Review.item_id == item_id, Review.state == ReviewState.in_progress)
    ).first()


def latest_review(session: Session, item_id: int) -> Review | None:
    return session.exec(select(Review).where(Review.item_id == item_id).order_by(col(Review.id).desc())).first()


def steps_of(session: Session, review_id: int) -> list[ReviewStep]:
    return list(session.exec(select(ReviewStep).where(ReviewStep.review_id == review_id).order_by(ReviewStep.id)))


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


def _not_holder_message(gate: str) -> str:
    return {
        "dept_head": "您不是该稿件所属部门的负责人，不能审核此环节",
        "leader": "您不分管该稿件所属部门，不能审核此环节",
        "principal": "此环节须由镇主要领导审核",
    }.get(gate, "您不是该环节的审核人")


def late_step_for(f: Facts, user: User) -> ReviewStep | None:
    """A gate skipped by an emergency publication that `user` may now approve after the fact."""
    if not f.item.review_incomplete:
        return None
    review = f.latest_review
    for step in f.steps(review.id) if review else []:
        if step.decision == Decision.skipped and decision_refusal(f, user, step) is None:
            return step
    return None


def refusal(f: Facts, action: str) -> str | None:
    """None when `f.user` may do `action` on `f.item` now; otherwise the reason in Chinese.

    Everything it reads comes from `f`, so asking for every action of one item costs one read of each fact.
    """
    item, user = f.item, f.user
    if user.org_id != item.org_id or not user.active:
        return "您无权操作此稿件"
    if lookup(item.state, item.gate, action) is None:
        return f"稿件当前状态下不能{ACTION_LABELS.get(action, action)}"
    is_drafter = user.id == item.drafter_id
    if action == "submit":
        return None if is_drafter else "只有起草人可以提交审核"
    if action == "recall":
        return None if is_drafter else "只有起草人可以撤回稿件"
    if action in DECIDING:
        if item.state != "in_review":
            step = late_step_for(f, user) if action == "approve" else None
            return None if step else "该稿件没有待您审核的环节"
        step = f.current_step
        return decision_refusal(f, user, step) if step else "该稿件没有待审核的环节"
    if action == "edit":
        if item.state in ("draft", "rejected", "approved", "scheduled"):
            return None if is_drafter or Role.admin in f.roles else "只有起草人可以修改稿件"
        step = f.current_step
        if step and user.id in f.holders(step.gate):
            return None
        return "审核中的稿件只能由当前环节的审核人修改；起草人请先撤回"
    if action == "flag_sensitive":
        if item.sensitive:
            return "稿件已标记为敏感"
        reviewers = set().union(*(f.holders(g) for g in GATE_ORDER))
        return None if is_drafter or user.id in reviewers or Role.admin in f.roles else "您无权标记此稿件"
    if action == "clear_sensitive":
        if not item.sensitive:
            return "稿件未标记为敏感"
        allowed = f.holders("leader") | f.holders("principal")
        return None if user.id in allowed else "只有分管领导或主要领导可以取消敏感标记"
    if action == "emergency_publish":
        if user.id not in f.holders("principal"):
            return "只有镇主要领导可以紧急发布"
        return "不能紧急发布本人起草或修改过的稿件" if user.id in f.authors else None
    if action == "withdraw":
        allowed = f.holders("leader") | f.holders("principal")
        return None if user.id in allowed or Role.admin in f.roles else "只有分管领导、主要领导或管理员可以撤稿"
    if action == "archive":
        return None if Role.admin in f.roles else "只有管理员可以归档"
    return "未知操作"


def available_actions(session: Session, item: Item, user: User) -> list[str]:
    """The single permission source for the web UI, the JSON API and the bot."""
    f = Facts(session, item, user)
    return [a for a in USER_ACTIONS if refusal(f, a) is None]


def pending_reviews(session: Session, *, user: User) -> list[Item]:
    """Items whose current gate `user` may decide now, plus emergency items awaiting their approval."""
    candidates = session.exec(
        select(Item).where(Item.org_id == user.org_id,
                           (Item.state == "in_review") | (col(Item.review_incomplete).is_(True)))
        .order_by(Item.submitted_at, Item.id)
    ).all()
    return [item for item in candidates if refusal(Facts(session, item, user), "approve") is None]


def review_history(session: Session, *, item_id: int) -> list[dict]:
    """Every review of the item with its steps, oldest first."""
    names = {}
    out = []
    for review in session.exec(select(Review).where(Review.item_id == item_id).order_by(Review.id)):
        steps = []
        for step in steps_of(session, review.id):
            if step.decided_by and step.decided_by not in names:
                names[step.decided_by] = session.get(User, step.decided_by).name
            steps.append({
                "gate": step.gate, "decision": step.decision, "decided_by": step.decided_by,
                "decided_by_name": names.get(step.decided_by), "decided_at": step.decided_at,
                "comment": step.comment, "channel": step.channel, "content_hash": step.content_hash,
                "after_the_fact": step.after_the_fact, "assignee_ids": step.assignee_ids,
            })  # fmt: skip
        out.append({"review_id": review.id, "revision_id": review.revision_id, "state": review.state,
                    "started_at": review.started_at, "finished_at": review.finished_at, "steps": steps})
    return out
