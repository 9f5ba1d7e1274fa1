"""The review chain as one explicit table: (state, gate, action) -> (state, gate).

`ANY` matches every gate of a state. Targets may be sentinels resolved by `workflow.apply_action`:
`FIRST` (the first gate), `NEXT` (the next required gate, or `approved` after the last one),
`SAME` (unchanged), `RECHECK` (stay, unless the current gate is no longer required).
"""

from __future__ import annotations

ANY = "*"
FIRST = "<first>"
NEXT = "<next>"
SAME = "<same>"
RECHECK = "<recheck>"

EDITABLE_WAITING = ("approved", "scheduled")

TRANSITIONS: dict[tuple[str, str | None, str], tuple[str, str | None]] = {
    # drafting
    ("draft", None, "submit"): ("in_review", FIRST),
    ("rejected", None, "submit"): ("in_review", FIRST),
    ("draft", None, "edit"): (SAME, SAME),
    ("rejected", None, "edit"): (SAME, SAME),
    ("draft", None, "flag_sensitive"): (SAME, SAME),
    ("rejected", None, "flag_sensitive"): (SAME, SAME),
    ("draft", None, "clear_sensitive"): (SAME, SAME),
    ("rejected", None, "clear_sensitive"): (SAME, SAME),
    # in review
    ("in_review", ANY, "approve"): (NEXT, NEXT),
    ("in_review", ANY, "reject"): ("rejected", None),
    ("in_review", ANY, "recall"): ("draft", None),
    ("in_review", ANY, "edit"): ("in_review", FIRST),
    ("in_review", ANY, "flag_sensitive"): (SAME, SAME),
    ("in_review", ANY, "clear_sensitive"): (RECHECK, RECHECK),
    ("in_review", ANY, "emergency_publish"): ("approved", None),
    # approved, waiting for the scheduler
    ("approved", None, "schedule"): ("scheduled", None),
    ("approved", None, "edit"): ("in_review", FIRST),
    ("scheduled", None, "edit"): ("in_review", FIRST),
    ("approved", None, "void"): ("in_review", FIRST),
    ("scheduled", None, "void"): ("in_review", FIRST),
    ("approved", None, "flag_sensitive"): ("in_review", "principal"),
    ("scheduled", None, "flag_sensitive"): ("in_review", "principal"),
    ("approved", None, "publish"): ("published", None),
    ("scheduled", None, "publish"): ("published", None),
    ("approved", None, "withdraw"): ("withdrawn", None),
    ("scheduled", None, "withdraw"): ("withdrawn", None),
    # after-the-fact approvals of an emergency publication (未完成审核)
    ("approved", None, "approve"): (SAME, SAME),
    ("scheduled", None, "approve"): (SAME, SAME),
    ("published", None, "approve"): (SAME, SAME),
    # published
    ("published", None, "withdraw"): ("withdrawn", None),
    ("published", None, "archive"): ("archived", None),
    ("withdrawn", None, "archive"): ("archived", None),
    ("draft", None, "archive"): ("archived", None),
    ("rejected", None, "archive"): ("archived", None),
}

ACTION_LABELS = {
    "submit": "提交审核", "approve": "同意", "reject": "驳回", "recall": "撤回修改", "edit": "编辑",
    "flag_sensitive": "标记敏感", "clear_sensitive": "取消敏感", "emergency_publish": "紧急发布",
    "withdraw": "撤稿", "archive": "归档", "schedule": "排期", "publish": "发布", "void": "内容变更退回审核",
}  # fmt: skip

USER_ACTIONS = ("submit", "approve", "reject", "recall", "edit", "flag_sensitive", "clear_sensitive",
                "emergency_publish", "withdraw", "archive")  # fmt: skip


def lookup(state: str, gate: str | None, action: str) -> tuple[str, str | None] | None:
    """The table's target for (state, gate, action), or None when the action is not allowed there."""
    return TRANSITIONS.get((state, gate, action)) or TRANSITIONS.get((state, ANY, action))
