"""Item page = review page: the revision under review, what changed, history, the allowed actions.

Buttons come from `workflow.available_actions`; every POST goes through `workflow.apply_action`.
The comparison with the previous revision comes from `content.review.diff` (rendered articles,
labelled metadata); 同意 / 驳回 sit in a bar at the bottom of the screen with common comments.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlmodel import select

from content.errors import DomainError
from content.models import AuditEvent, Department, Revision, User
from content.outbox import channel_status
from content.preview import preview_path
from content.review import chain as workflow
from content.review.diff import file_names, thumbnail_src
from content.review.rules import REASON_REQUIRED
from content.store import list_revisions
from web.deps import SessionDep
from web.pages.access import item_for_viewer
from web.pages.decide_form import (
    COMMON_COMMENTS,
    DECIDING,
    decision_fields,
    no_store,
    read_refusal,
    refusal_token,
)
from web.pages.preview_pages import comparison, revision_view
from web.pages.session import WebUserDep, read_form, roles
from web.pages.templating import render

router = APIRouter()
# Audit actions whose reason the item page shows, with their label.
REASON_EVENTS = {"item.emergency_publish": "紧急发布理由", "item.withdraw": "撤稿理由"}


def reasons_of(events: list[AuditEvent], names: dict[int, str]) -> list[dict]:
    """The emergency-publication and withdrawal reasons recorded with those transitions."""
    return [{"label": REASON_EVENTS[e.action], "reason": (e.data or {}).get("reason") or "",
             "by": names.get(e.actor_id, e.actor_label or ""), "at": e.at, "action": e.action.split(".", 1)[1]}
            for e in events if e.action in REASON_EVENTS and (e.data or {}).get("reason")]


def _page(request: Request, session, user: User, item_id: int):
    item = item_for_viewer(session, user, item_id, roles(request))
    secret = request.app.state.settings.secret_key.get_secret_value()
    refused = read_refusal(secret, request.query_params.get("refused"))
    revisions = list_revisions(session, item_id=item.id)
    current = next((r for r in revisions if r.id == item.current_revision_id), revisions[-1] if revisions else None)
    history = workflow.review_history(session, item_id=item.id)
    previous, diff = comparison(session, item, current) if current is not None else (None, None)
    events = session.exec(select(AuditEvent).where(AuditEvent.target_type == "item", AuditEvent.target_id == item.id)
                          .order_by(AuditEvent.id)).all()
    names = {u.id: u.name for u in session.exec(select(User).where(User.org_id == user.org_id))}
    actions = workflow.available_actions(session, item, user)
    return no_store(render(request, "item.html", {
        "item": item, "rev": revision_view(session, current) if current else None, "current": current,
        "previous": previous, "diff": diff,
        "files": file_names(current.content) if current else [],
        "cover_src": thumbnail_src((current.content or {}).get("cover_image")) if current else None,
        "history": history, "events": events, "names": names, "reasons": reasons_of(events, names),
        "department": session.get(Department, item.department_id),
        "actions": actions, "deciding": [a for a in DECIDING if a in actions],
        "common_comments": COMMON_COMMENTS,
        "publications": workflow.publications_of(session, item.id),
        "channel_status": channel_status(session, item),  # 已发布：门户网站；微信公众号：发送失败
        "preview_url": preview_path(secret, item_id=item.id, revision_id=current.id) if current else None,
        "errors": refused["errors"], "typed": refused["typed"], "message": refused["message"],
        "submitted": request.query_params.get("submitted"), "done": request.query_params.get("done"),
    }))  # fmt: skip


@router.get("/items/{item_id}", name="web_item")
def item_page(request: Request, item_id: int, session: SessionDep, user: WebUserDep):
    return _page(request, session, user, item_id)


@router.get("/items/{item_id}/review", name="web_item_review")
def review_page(request: Request, item_id: int, session: SessionDep, user: WebUserDep):
    return _page(request, session, user, item_id)


@router.post("/items/{item_id}/action")
async def act(request: Request, item_id: int, session: SessionDep, user: WebUserDep):
    form = await read_form(request)
    item_for_viewer(session, user, item_id, roles(request))
    fields = decision_fields(form)
    action, reason, comment = fields["action"], fields["reason"], fields["comment"]
    typed = {"action": action, "reason": reason, "comment": comment}
    secret = request.app.state.settings.secret_key.get_secret_value()
    if action in REASON_REQUIRED and not reason.strip():  # said beside the field, before the chain refuses
        return _refused(item_id, refusal_token(secret, errors={f"reason_{action}": "请填写理由"}, typed=typed))
    try:
        workflow.apply_action(session, item_id=item_id, actor=user, action=action, comment=comment,
                              reason=reason, content_hash=fields["content_hash"], channel="web")
        session.commit()
    except DomainError as exc:
        if exc.status == 404:
            raise  # before the rollback: the error page still reads the signed-in user
        session.rollback()
        field = (exc.data or {}).get("field")
        errors = {f"{field}_{action}": exc.message} if field else {}
        return _refused(item_id, refusal_token(secret, errors=errors, typed=typed,
                                               message=None if errors else exc.message))
    return RedirectResponse(f"/items/{item_id}?done={action}", status_code=303)


def _refused(item_id: int, token: str) -> RedirectResponse:
    """A refused action goes back to the review page (POST-redirect-GET) with the reason and the
    typed text in a signed `refused` parameter: F5 does not re-post, the browser logs no 4xx."""
    return RedirectResponse(f"/items/{item_id}/review?{urlencode({'refused': token})}",
                            status_code=303)


@router.get("/items/{item_id}/preview/{kind}", name="web_item_preview")
def preview(request: Request, item_id: int, kind: str, session: SessionDep, user: WebUserDep,
            revision: int | None = None):
    item = item_for_viewer(session, user, item_id, roles(request))
    rev = session.get(Revision, revision or item.current_revision_id or 0)
    if rev is None or rev.item_id != item.id or kind not in ("portal", "mp"):
        raise DomainError("not_found", "预览的版本不存在", status=404)
    template = "preview_portal.html" if kind == "portal" else "preview_mp.html"
    return render(request, template, {"item": item, "rev": revision_view(session, rev)})
