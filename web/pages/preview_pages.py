"""The mobile preview page the bot links to: signed, expiring, exactly one revision — and, for a
leader signed in to the web UI, the same 同意 / 驳回 as the review page (two taps).

Why the link alone never decides: the token (content/preview.py) names an item and a revision, not a
person; it is not single-use and lives for days, and it travels through chats where it can be
forwarded. So whoever holds it may read, never act. Acting needs the web session of a person whom
`workflow.apply_action` allows at the current gate (the same rule as the web, API and bot), and the
POST names the content hash of the revision shown: a revised item answers "稿件已修改，请重新查看".
Without a session the page tells the leader to decide in the WeCom card or to sign in.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from content.errors import DomainError, Forbidden
from content.models import Category, Item, Revision, User
from content.preview import open_preview, read_preview_token
from content.review import chain as workflow
from content.urls import safe_href
from web.deps import SessionDep
from web.pages import preview_files
from web.pages.access import can_view
from web.pages.decide_form import COMMON_COMMENTS, DECIDING, decision_fields
from web.pages.preview_files import preview_file_url, preview_html
from web.pages.session import optional_user, read_form, roles
from web.pages.templating import render

router = APIRouter()
router.include_router(preview_files.router)


def revision_view(session, revision: Revision) -> dict:
    """The fields a preview shows, from the revision snapshot (never the working copy)."""
    c = dict(revision.content or {})
    topic = session.get(Category, c.get("topic_id")) if c.get("topic_id") else None
    area = session.get(Category, c.get("area_id")) if c.get("area_id") else None
    return {
        "title": c.get("title", ""), "digest": c.get("digest", ""), "author": c.get("author", ""),
        "body_html": c.get("body_html", ""), "cover_image": c.get("cover_image"),
        "channels": c.get("channels") or [], "origin": c.get("origin", "original"),
        "source_url": c.get("source_url"), "topic": topic.name if topic else "", "area": area.name if area else "",
        "publish_at": c.get("publish_at"), "number": revision.number, "content_hash": revision.content_hash,
        "created_at": revision.created_at,
    }  # fmt: skip


def _deciding(request: Request, session, user: User | None, item: Item) -> list[str]:
    if user is None or not can_view(session, user, item, roles(request)):
        return []
    actions = workflow.available_actions(session, item, user)
    return [a for a in DECIDING if a in actions]


def _render(request: Request, session, token: str, item: Item, revision: Revision, user: User | None, *,
            message: str | None = None, typed: dict | None = None, status: int = 200):
    return render(request, "mobile_preview.html", {
        "rev": _token_view(session, token, revision), "item_id": item.id, "token": token,
        "deciding": _deciding(request, session, user, item), "signed_in": user is not None,
        "login_url": f"/login?next={quote(f'/m/preview/{token}', safe='/')}",
        "common_comments": COMMON_COMMENTS, "message": message, "typed": typed or {},
        "done": request.query_params.get("done"),
    }, status=status)  # fmt: skip


@router.get("/m/preview/{token}", name="mobile_preview")
def mobile_preview(request: Request, token: str, session: SessionDep,
                   user: User | None = Depends(optional_user)):
    secret = request.app.state.settings.secret_key.get_secret_value()
    item, revision = open_preview(session, secret, token)
    return _render(request, session, token, item, revision, user)


def _token_view(session, token: str, revision: Revision) -> dict:
    """The revision's fields with its files named through the token (web.pages.preview_files)."""
    rev = revision_view(session, revision)
    rev["body_html"] = preview_html(token, rev["body_html"])
    rev["cover_image"] = preview_file_url(token, safe_href(rev["cover_image"])) if rev["cover_image"] else None
    rev["attachments"] = [{**a, "url": preview_file_url(token, safe_href(a.get("url")))}
                          for a in (revision.content or {}).get("attachments") or [] if isinstance(a, dict)]
    return rev


@router.post("/m/preview/{token}/decide", name="mobile_preview_decide")
async def mobile_decide(request: Request, token: str, session: SessionDep,
                        user: User | None = Depends(optional_user)):
    """同意/驳回 from the preview, as the signed-in user, bound to the hash of the revision shown."""
    if user is None:
        return RedirectResponse(f"/login?next={quote(f'/m/preview/{token}', safe='/')}", status_code=303)
    form = await read_form(request)
    secret = request.app.state.settings.secret_key.get_secret_value()
    item_id, revision_id = read_preview_token(secret, token)  # forged or expired: 403
    revision = session.get(Revision, revision_id)
    item = session.get(Item, item_id)
    if revision is None or item is None or revision.item_id != item.id or item.org_id != user.org_id:
        raise Forbidden("preview_invalid", "预览链接无效")
    fields = decision_fields(form)
    typed = {k: fields[k] for k in ("action", "reason", "comment")}
    action = fields["action"]
    try:
        if action not in DECIDING:
            raise Forbidden("not_allowed", "此页面只能同意或驳回")
        if not can_view(session, user, item, roles(request)):
            raise Forbidden("not_allowed", "您无权审核此稿件")
        if fields["content_hash"] != revision.content_hash:
            raise Forbidden("preview_invalid", "提交的内容与预览的版本不符，请重新打开预览")
        if action == "reject" and not fields["reason"].strip():
            raise DomainError("reason_required", "驳回必须填写理由", status=422)
        workflow.apply_action(session, item_id=item.id, actor=user, action=action, comment=fields["comment"],
                              reason=fields["reason"], content_hash=revision.content_hash, channel="web")
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _render(request, session, token, session.get(Item, item_id), revision, user, message=exc.message,
                       typed=typed, status=exc.status)
    return RedirectResponse(f"/m/preview/{token}?done={action}", status_code=303)
