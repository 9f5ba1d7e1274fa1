"""Item page = review page: the revision under review, warnings, diff, history, the allowed actions.

Buttons come from `workflow.available_actions`; every POST goes through `workflow.apply_action`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlmodel import select

from content import workflow
from content.deps import SessionDep
from content.errors import DomainError
from content.models import AuditEvent, Department, Revision, User
from content.preview import preview_path
from content.store import list_revisions, revision_diff
from content.web.access import item_for_viewer
from content.web.preview_pages import revision_view
from content.web.session import WebUserDep, read_form, roles
from content.web.templating import render

router = APIRouter()
REASON_ACTIONS = ("reject", "emergency_publish", "withdraw")


def _page(request: Request, session, user: User, item_id: int, *, errors: dict | None = None,
          typed: dict | None = None, message: str | None = None, status: int = 200):
    item = item_for_viewer(session, user, item_id, roles(request))
    revisions = list_revisions(session, item_id=item.id)
    current = next((r for r in revisions if r.id == item.current_revision_id), revisions[-1] if revisions else None)
    previous = None
    if current is not None:
        older = [r for r in revisions if r.number < current.number]
        previous = older[-1] if older else None
    history = workflow.review_history(session, item_id=item.id)
    events = session.exec(select(AuditEvent).where(AuditEvent.target_type == "item", AuditEvent.target_id == item.id)
                          .order_by(AuditEvent.id)).all()
    names = {u.id: u.name for u in session.exec(select(User).where(User.org_id == user.org_id))}
    secret = request.app.state.settings.secret_key.get_secret_value()
    return render(request, "item.html", {
        "item": item, "rev": revision_view(session, current) if current else None, "current": current,
        "previous": previous, "diff": revision_diff(previous, current) if previous and current else [],
        "history": history, "events": events, "names": names,
        "department": session.get(Department, item.department_id),
        "actions": workflow.available_actions(session, item, user),
        "publications": workflow.publications_of(session, item.id),
        "preview_url": preview_path(secret, item_id=item.id, revision_id=current.id) if current else None,
        "errors": errors or {}, "typed": typed or {}, "message": message,
        "submitted": request.query_params.get("submitted"), "done": request.query_params.get("done"),
    }, status=status)  # fmt: skip


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
    action = str(form.get("action") or "")
    reason = str(form.get("reason") or "")
    comment = str(form.get("comment") or "")
    seen_hash = str(form.get("content_hash") or "") or None
    typed = {"action": action, "reason": reason, "comment": comment}
    if action in REASON_ACTIONS and not reason.strip():
        return _page(request, session, user, item_id, errors={f"reason_{action}": "请填写理由"}, typed=typed,
                     status=422)
    try:
        workflow.apply_action(session, item_id=item_id, actor=user, action=action, comment=comment,
                              reason=reason, content_hash=seen_hash, channel="web")
        session.commit()
    except DomainError as exc:
        if exc.status == 404:
            raise  # before the rollback: the error page still reads the signed-in user
        session.rollback()
        field = (exc.data or {}).get("field")
        errors = {f"{field}_{action}": exc.message} if field else {}
        return _page(request, session, user, item_id, errors=errors, typed=typed,
                     message=None if errors else exc.message, status=exc.status)
    return RedirectResponse(f"/items/{item_id}?done={action}", status_code=303)


@router.get("/items/{item_id}/preview/{kind}", name="web_item_preview")
def preview(request: Request, item_id: int, kind: str, session: SessionDep, user: WebUserDep,
            revision: int | None = None):
    item = item_for_viewer(session, user, item_id, roles(request))
    rev = session.get(Revision, revision or item.current_revision_id or 0)
    if rev is None or rev.item_id != item.id or kind not in ("portal", "mp"):
        raise DomainError("not_found", "预览的版本不存在", status=404)
    template = "preview_portal.html" if kind == "portal" else "preview_mp.html"
    return render(request, template, {"item": item, "rev": revision_view(session, rev)})
