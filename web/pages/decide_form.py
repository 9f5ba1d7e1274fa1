"""The 同意/驳回 form shared by the review page's bottom bar and the signed mobile preview."""

from __future__ import annotations

from typing import TypeVar

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.responses import Response

R = TypeVar("R", bound=Response)

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


_REFUSAL_SALT = "decide-refusal"


def refusal_token(secret: str, *, message: str | None = None, errors: dict | None = None,
                  typed: dict | None = None) -> str:
    """A refused decision carried through a redirect (POST-redirect-GET): F5 then re-reads the page
    instead of re-posting the form, and the typed reason is kept. Signed, so that no link can make
    the page say anything; truncated, so that the address stays short."""
    typed = {k: str(v)[:500] for k, v in (typed or {}).items()}
    return URLSafeSerializer(secret, salt=_REFUSAL_SALT).dumps(
        {"m": (message or "")[:400], "e": errors or {}, "t": typed})


def read_refusal(secret: str, token: str | None) -> dict:
    """message/errors/typed from `refusal_token`; empty values for no token or a forged one."""
    empty = {"message": None, "errors": {}, "typed": {}}
    if not token:
        return empty
    try:
        data = URLSafeSerializer(secret, salt=_REFUSAL_SALT).loads(token)
    except BadSignature:
        return empty
    if not isinstance(data, dict):
        return empty
    return {"message": data.get("m") or None, "errors": dict(data.get("e") or {}), "typed": dict(data.get("t") or {})}


def no_store(response: R) -> R:
    """A page with live 同意/驳回 is never kept in the history cache: after Back the browser asks
    again, so a gate decided meanwhile no longer offers the buttons."""
    response.headers["Cache-Control"] = "no-store"
    return response
