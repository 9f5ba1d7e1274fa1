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

from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import col, select

from content.errors import DomainError, Forbidden
from content.labels import channel_label
from content.models import Category, Item, Revision, User
from content.preview import open_preview, read_preview_token
from content.review import chain as workflow
from content.review.diff import BodyBlock, FieldChange, ReviewDiff, baseline, review_diff
from content.store import list_revisions
from content.urls import safe_href
from web.deps import SessionDep
from web.pages import preview_files
from web.pages.access import can_view
from web.pages.decide_form import (
    COMMON_COMMENTS,
    DECIDING,
    decision_fields,
    no_store,
    read_refusal,
    refusal_token,
)
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


def comparison(session, item: Item, revision: Revision) -> tuple[Revision | None, ReviewDiff]:
    """`revision` against the last revision sent for review before it (None: first submission).

    Shared by the review page and the signed mobile preview, so both show the same changes.
    """
    revisions = list_revisions(session, item_id=item.id)
    reviewed = {h["revision_id"] for h in workflow.review_history(session, item_id=item.id)}
    previous = baseline(revisions, revision, reviewed)
    old = previous.content if previous else None
    diff = review_diff(old, revision.content, channel_label=channel_label,
                       categories=category_names(session, old, revision.content))
    return previous, diff


def category_names(session, *contents: dict | None) -> dict[int, str]:
    """Names of the topic/area categories the given revision snapshots point at (one query)."""
    ids = {c.get(k) for c in contents if c for k in ("topic_id", "area_id") if c.get(k)}
    if not ids:
        return {}
    return {c.id: c.name for c in session.exec(select(Category).where(col(Category.id).in_(ids)))}


def _deciding(request: Request, session, user: User | None, item: Item) -> list[str]:
    if user is None or not can_view(session, user, item, roles(request)):
        return []
    actions = workflow.available_actions(session, item, user)
    return [a for a in DECIDING if a in actions]


def _token_diff(token: str, diff: ReviewDiff) -> ReviewDiff:
    """The comparison with its body's files named through the token, like the article itself."""
    body = [BodyBlock(b.kind, preview_html(token, b.old_html), preview_html(token, b.new_html)) for b in diff.body]
    changes = [FieldChange(c.field, c.label, c.text) for c in diff.changes]  # thumbnails: /files/ needs a session
    return ReviewDiff(first=diff.first, changes=changes, body=body)


def _render(request: Request, session, token: str, item: Item, revision: Revision, user: User | None):
    secret = request.app.state.settings.secret_key.get_secret_value()
    refused = read_refusal(secret, request.query_params.get("refused"))
    previous, diff = comparison(session, item, revision)
    current = revision.id == item.current_revision_id
    return no_store(render(request, "mobile_preview.html", {
        "previous": previous, "diff": _token_diff(token, diff),
        "warnings": (item.check_warnings or []) if current else [],
        "rev": _token_view(session, token, revision), "item_id": item.id, "token": token,
        "deciding": _deciding(request, session, user, item), "signed_in": user is not None,
        "login_url": f"/login?next={quote(f'/m/preview/{token}', safe='/')}",
        "common_comments": COMMON_COMMENTS, "message": refused["message"], "typed": refused["typed"],
        "done": request.query_params.get("done"),
    }))  # fmt: skip


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
        refused = refusal_token(secret, message=exc.message, typed=typed)  # POST-redirect-GET, text kept
        return RedirectResponse(f"/m/preview/{token}?{urlencode({'refused': refused})}", status_code=303)
    return RedirectResponse(f"/m/preview/{token}?done={action}", status_code=303)
