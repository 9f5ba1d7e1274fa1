"""The 同意/驳回 form shared by the review page's bottom bar and the signed mobile preview."""

from __future__ import annotations

COMMON_COMMENTS = ("同意", "同意发布", "请修改后再报")
DECIDING = ("approve", "reject")


def decision_fields(form) -> dict:
    """action, comment, reason and the content hash seen, from a decision form.

    The bar has one text field (`reason`): it is the reason of a 驳回 and the comment of a 同意.
    """
    action = str(form.get("action") or "")
    reason = str(form.get("reason") or "")
    comment = str(form.get("comment") or "")
    if action == "approve" and not comment.strip():
        comment, reason = reason, ""
    return {"action": action, "reason": reason, "comment": comment,
            "content_hash": str(form.get("content_hash") or "") or None}
