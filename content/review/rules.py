"""The review chain as tables: what each action does to an item, and who may take it.

`TRANSITIONS`: (state, gate, action) -> (state, gate). `ANY` matches every gate of a state. Targets may
be sentinels resolved by `content.review.chain`: `FIRST` (the first gate), `NEXT` (the next required
gate, or approved after the last one), `SAME` (unchanged), `RECHECK` (stay, unless the current gate is
no longer required).

`WHO_MAY`: for each action, which parties may take it (and what they are told otherwise). 同意 and 驳回
are decided per step by `content.review.permissions.decision_refusal` (the holder of the gate, not an
author, not the same person at two gates).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from content.models import Gate, Item, ItemState
from content.review.actions import ACTION_LABELS, USER_ACTIONS, Action

__all__ = ["ACTION_LABELS", "ANY", "DECIDING", "FIRST", "GATE_ORDER", "NEXT", "REASON_REQUIRED", "RECHECK", "SAME",
           "TRANSITIONS", "USER_ACTIONS", "WHO_MAY", "Action", "Party", "Permission", "lookup", "permission",
           "required_gates"]  # fmt: skip

S = ItemState
A = Action
ANY = "*"
FIRST = "<first>"
NEXT = "<next>"
SAME = "<same>"
RECHECK = "<recheck>"

# The gates in the order an item passes them; 主要领导 only for a sensitive item.
GATE_ORDER: tuple[Gate, ...] = (Gate.dept_head, Gate.leader, Gate.principal)


def required_gates(item: Item) -> list[Gate]:
    return [g for g in GATE_ORDER if g != Gate.principal or item.sensitive]


EDITABLE_WAITING = (S.approved, S.scheduled)
# Whoever decides these must say why.
REASON_REQUIRED = frozenset({A.reject, A.emergency_publish, A.withdraw})
DECIDING = (A.approve, A.reject)

TRANSITIONS: dict[tuple[str, str | None, str], tuple[str, str | None]] = {
    # drafting
    (S.draft, None, A.submit): (S.in_review, FIRST),
    (S.rejected, None, A.submit): (S.in_review, FIRST),
    (S.draft, None, A.edit): (SAME, SAME),
    (S.rejected, None, A.edit): (SAME, SAME),
    (S.draft, None, A.flag_sensitive): (SAME, SAME),
    (S.rejected, None, A.flag_sensitive): (SAME, SAME),
    (S.draft, None, A.clear_sensitive): (SAME, SAME),
    (S.rejected, None, A.clear_sensitive): (SAME, SAME),
    # in review
    (S.in_review, ANY, A.approve): (NEXT, NEXT),
    (S.in_review, ANY, A.reject): (S.rejected, None),
    (S.in_review, ANY, A.recall): (S.draft, None),
    (S.in_review, ANY, A.edit): (S.in_review, FIRST),
    (S.in_review, ANY, A.flag_sensitive): (SAME, SAME),
    (S.in_review, ANY, A.clear_sensitive): (RECHECK, RECHECK),
    (S.in_review, ANY, A.emergency_publish): (S.approved, None),
    # approved, waiting for the scheduler
    (S.approved, None, A.schedule): (S.scheduled, None),
    (S.approved, None, A.edit): (S.in_review, FIRST),
    (S.scheduled, None, A.edit): (S.in_review, FIRST),
    (S.approved, None, A.void): (S.in_review, FIRST),
    (S.scheduled, None, A.void): (S.in_review, FIRST),
    (S.approved, None, A.flag_sensitive): (S.in_review, Gate.principal),
    (S.scheduled, None, A.flag_sensitive): (S.in_review, Gate.principal),
    (S.approved, None, A.publish): (S.published, None),
    (S.scheduled, None, A.publish): (S.published, None),
    (S.approved, None, A.withdraw): (S.withdrawn, None),
    (S.scheduled, None, A.withdraw): (S.withdrawn, None),
    # after-the-fact approvals of an emergency publication (未完成审核)
    (S.approved, None, A.approve): (SAME, SAME),
    (S.scheduled, None, A.approve): (SAME, SAME),
    (S.published, None, A.approve): (SAME, SAME),
    # published
    (S.published, None, A.withdraw): (S.withdrawn, None),
    (S.published, None, A.archive): (S.archived, None),
    (S.withdrawn, None, A.archive): (S.archived, None),
    (S.draft, None, A.archive): (S.archived, None),
    (S.rejected, None, A.archive): (S.archived, None),
}


class Party(StrEnum):
    """Who someone is to one item."""

    drafter = "drafter"  # the item's drafter
    admin = "admin"  # has the admin role
    current_reviewer = "current_reviewer"  # holds the gate the item waits at
    reviewer = "reviewer"  # holds any gate of the item (or deputises for a holder)
    leader = "leader"  # holds the 分管领导 gate of the item
    principal = "principal"  # holds the 主要领导 gate


P = Party


@dataclass(frozen=True)
class Permission:
    who: tuple[Party, ...]  # asked in this order
    refusal: str  # said to anyone else
    sensitive: bool | None = None  # the item's sensitive flag must be this first ...
    sensitive_refusal: str = ""  # ... or this is said
    authors_refusal: str | None = None  # when set, nobody who wrote the item may take the action


def _may(*who: Party, refusal: str, sensitive: bool | None = None, sensitive_refusal: str = "",
         authors_refusal: str | None = None) -> Permission:
    return Permission(who, refusal, sensitive, sensitive_refusal, authors_refusal)


# Keyed by (action, state); (action, ANY) for every state the transition table allows it in.
WHO_MAY: dict[tuple[str, str], Permission] = {
    (A.submit, ANY): _may(P.drafter, refusal="只有起草人可以提交审核"),
    (A.recall, ANY): _may(P.drafter, refusal="只有起草人可以撤回稿件"),
    (A.edit, S.in_review): _may(P.current_reviewer, refusal="审核中的稿件只能由当前环节的审核人修改；起草人请先撤回"),
    (A.edit, ANY): _may(P.drafter, P.admin, refusal="只有起草人可以修改稿件"),
    (A.flag_sensitive, ANY): _may(P.drafter, P.reviewer, P.admin, refusal="您无权标记此稿件",
                                  sensitive=False, sensitive_refusal="稿件已标记为敏感"),
    (A.clear_sensitive, ANY): _may(P.leader, P.principal, refusal="只有分管领导或主要领导可以取消敏感标记",
                                   sensitive=True, sensitive_refusal="稿件未标记为敏感"),
    (A.emergency_publish, ANY): _may(P.principal, refusal="只有镇主要领导可以紧急发布",
                                     authors_refusal="不能紧急发布本人起草或修改过的稿件"),
    (A.withdraw, ANY): _may(P.leader, P.principal, P.admin, refusal="只有分管领导、主要领导或管理员可以撤稿"),
    (A.archive, ANY): _may(P.admin, refusal="只有管理员可以归档"),
}  # fmt: skip

def lookup(state: str, gate: str | None, action: str) -> tuple[str, str | None] | None:
    """The table's target for (state, gate, action), or None when the action is not allowed there."""
    return TRANSITIONS.get((state, gate, action)) or TRANSITIONS.get((state, ANY, action))


def permission(action: str, state: str) -> Permission | None:
    """Who may take `action` on an item in `state` (None for 同意/驳回, decided per step)."""
    return WHO_MAY.get((action, state)) or WHO_MAY.get((action, ANY))
