"""The actions of the review chain and what people call them.

Apart from the transition table (content/review/rules.py) so that content.labels can name them
without importing the models the table is written in.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    submit = "submit"
    approve = "approve"
    reject = "reject"
    recall = "recall"
    edit = "edit"
    flag_sensitive = "flag_sensitive"
    clear_sensitive = "clear_sensitive"
    emergency_publish = "emergency_publish"
    withdraw = "withdraw"
    archive = "archive"
    # system transitions (the scheduler's, never offered to a person)
    schedule = "schedule"
    publish = "publish"
    void = "void"


A = Action

ACTION_LABELS: dict[str, str] = {
    A.submit: "提交审核", A.approve: "同意", A.reject: "驳回", A.recall: "撤回修改", A.edit: "编辑",
    A.flag_sensitive: "标记敏感", A.clear_sensitive: "取消敏感", A.emergency_publish: "紧急发布",
    A.withdraw: "撤稿", A.archive: "归档", A.schedule: "排期", A.publish: "发布", A.void: "内容变更退回审核",
}  # fmt: skip

# What a person may ask for (the rest are the scheduler's).
USER_ACTIONS = (A.submit, A.approve, A.reject, A.recall, A.edit, A.flag_sensitive, A.clear_sensitive,
                A.emergency_publish, A.withdraw, A.archive)  # fmt: skip
