"""The editor: create and edit items, check results before submission, submit.

Nothing here loses a drafter's work:
- every successful POST answers with a redirect (POST-redirect-GET), so F5 never posts again;
- the 新建稿件 form carries a nonce; a second POST with it goes to the item the first one made;
- the editor's script saves with fetch (header `X-Editor-Fetch`) and gets JSON back, so an error or
  an expired session leaves the text on the page (and in the browser's storage) to be saved again;
- an item this user may not edit opens read-only, with 撤回后修改 where the drafter may recall it;
- a save from a form loaded before another window saved is refused (409 stale_edit), the text kept;
- a 保存并提交审核 whose submission fails says the draft was saved and why it was not submitted.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from content.docx_import import DOCX_MAX_BYTES
from content.errors import DomainError, Forbidden
from content.models import Item, Taxonomy, User
from content.models.form_nonce import FormNonce
from content.review import chain as workflow
from content.review.facts import Facts
from content.review.permissions import refusal
from content.store import create_item, run_checks, update_item
from web.deps import SessionDep
from web.pages.access import item_for_viewer
from web.pages.forms import categories, channel_choices, field_of, parse_editor_form, values_from_item
from web.pages.session import CsrfFailed, WebUserDep, read_form, roles
from web.pages.templating import render

router = APIRouter()
FETCH_HEADER = "x-editor-fetch"
_NOTICE_SALT = "gongkai.editor-notice"


def _editor(request: Request, session, user: User, item: Item | None, values: dict, *,
            errors: dict | None = None, message: str | None = None, status: int = 200, saved: bool = False,
            notice: str | None = None, readonly: bool = False):
    checks = run_checks(session, item) if item is not None and not readonly else None
    actions = workflow.available_actions(session, item, user) if item is not None else []
    response = render(request, "editor.html", {
        "item": item, "v": values, "errors": errors or {}, "message": message, "checks": checks,
        "actions": actions, "saved": saved, "notice": notice, "readonly": readonly,
        "nonce": secrets.token_urlsafe(18) if item is None else "",
        "draft_key": f"gongkai:draft:{user.id}:{item.id if item else 'new'}",
        "topics": categories(session, user.org_id, Taxonomy.topic),
        "areas": categories(session, user.org_id, Taxonomy.area),
        "channel_choices": channel_choices(session, user.org_id, values.get("channels") or []),
        "docx_max_mb": DOCX_MAX_BYTES // (1024 * 1024), "docx_max_bytes": DOCX_MAX_BYTES, **_upload_limits(request),
    }, status=status)  # fmt: skip
    # Back/forward must ask the server again: a cached editable copy of an item submitted since is
    # exactly the page whose 保存草稿 used to fail.
    response.headers["Cache-Control"] = "no-store"
    return response


def size_text(n: int) -> str:
    """`10 MB`, `1.5 MB`, `500 KB`: one decimal at most, as media.js writes sizes."""
    unit, value = ("MB", n / (1024 * 1024)) if n >= 1024 * 1024 else ("KB", n / 1024)
    return f"{value:.1f}".rstrip("0").rstrip(".") + f" {unit}"


def _upload_limits(request: Request) -> dict:
    """The upload limits of GONGKAI_IMAGE_MAX_BYTES / GONGKAI_ATTACHMENT_MAX_BYTES: shown beside the fields
    and handed, exact to the byte, to media.js (data- attributes) so it refuses what the server would."""
    settings = request.app.state.settings
    image, attachment = settings.image_max_bytes, settings.attachment_max_bytes
    return {"image_max_bytes": image, "attachment_max_bytes": attachment,
            "image_max_text": size_text(image), "attachment_max_text": size_text(attachment),
            "image_max_kb": image // 1024, "attachment_max_kb": attachment // 1024,
            "attachment_types": ("pdf", "doc", "docx", "xls", "xlsx", "zip")}


def _fetching(request: Request) -> bool:
    return request.headers.get(FETCH_HEADER) == "1"


def _go(request: Request, location: str):
    """Success: the script gets the address as JSON, a plain form post a 303 (POST-redirect-GET)."""
    if _fetching(request):
        return JSONResponse({"ok": True, "location": location})
    return RedirectResponse(location, status_code=303)


def _notice_token(request: Request, text: str) -> str:
    secret = request.app.state.settings.secret_key.get_secret_value()
    return URLSafeSerializer(secret, salt=_NOTICE_SALT).dumps(text[:400])


def _notice_text(request: Request, token: str) -> str | None:
    """A message carried through a redirect, signed so that no link can make the page say anything."""
    if not token:
        return None
    secret = request.app.state.settings.secret_key.get_secret_value()
    try:
        return str(URLSafeSerializer(secret, salt=_NOTICE_SALT).loads(token))
    except BadSignature:
        return None


async def _form(request: Request):
    """The form, or (in fetch mode) a JSON refusal for a stale CSRF token the script can renew."""
    try:
        return await read_form(request), None
    except CsrfFailed as exc:
        if not _fetching(request):
            raise
        return None, JSONResponse({"ok": False, **exc.as_dict()}, status_code=exc.status)


@router.get("/items/new", name="web_item_new")
def new_item(request: Request, session: SessionDep, user: WebUserDep):
    if not roles(request) & {"drafter", "admin"}:
        raise Forbidden("not_drafter", "只有拟稿人可以新建稿件")
    return _editor(request, session, user, None, values_from_item(None))


def _item_of_nonce(session, user: User, nonce: str) -> int | None:
    if not nonce:
        return None
    row = session.exec(select(FormNonce.item_id).where(FormNonce.user_id == user.id, FormNonce.nonce == nonce))
    return row.first()


@router.post("/items/new")
async def create(request: Request, session: SessionDep, user: WebUserDep):
    form, refused = await _form(request)
    if refused:
        return refused
    nonce = str(form.get("nonce") or "")[:64]
    done = _item_of_nonce(session, user, nonce)
    if done is not None:  # this form already made its item: never a second one
        return _go(request, f"/items/{done}/edit?saved=1")
    values, data, errors = parse_editor_form(form)
    if errors:
        return _invalid(request, session, user, None, values, errors=errors)
    try:
        item = create_item(session, actor=user, data=data, channel="web")
        if nonce:
            session.add(FormNonce(org_id=user.org_id, user_id=user.id, nonce=nonce, item_id=item.id))
        session.commit()
    except IntegrityError:  # the same form's other POST won the race
        session.rollback()
        done = _item_of_nonce(session, user, nonce)
        if done is None:
            raise
        return _go(request, f"/items/{done}/edit?saved=1")
    except DomainError as exc:
        session.rollback()
        return _failed(request, session, user, None, values, exc)
    if form.get("intent") == "submit":
        return _submit(request, session, user, item.id)
    return _go(request, f"/items/{item.id}/edit?saved=1")


@router.get("/items/{item_id}/edit", name="web_item_edit")
def edit_page(request: Request, item_id: int, session: SessionDep, user: WebUserDep, saved: int = 0,
              notice: str = ""):
    item = item_for_viewer(session, user, item_id, roles(request))
    readonly = refusal(Facts(session, item, user), "edit") is not None
    return _editor(request, session, user, item, values_from_item(item), saved=bool(saved),
                   notice=_notice_text(request, notice), readonly=readonly)


@router.post("/items/{item_id}/edit")
async def save(request: Request, item_id: int, session: SessionDep, user: WebUserDep):
    form, refused = await _form(request)
    if refused:
        return refused
    item = item_for_viewer(session, user, item_id, roles(request))
    values, data, errors = parse_editor_form(form)
    if errors:
        return _invalid(request, session, user, item, values, errors=errors)
    try:
        base = values["base_revision"]  # a stale form (another tab saved since) is refused, not applied
        update_item(session, actor=user, item_id=item_id, changes=data, channel="web",
                    base_revision_id=int(base) if base.isdigit() else None)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _failed(request, session, user, session.get(Item, item_id), values, exc)
    if form.get("intent") == "submit":
        return _submit(request, session, user, item_id)
    return _go(request, f"/items/{item_id}/edit?saved=1")


@router.post("/items/{item_id}/recall-to-edit", name="web_item_recall_edit")
async def recall_to_edit(request: Request, item_id: int, session: SessionDep, user: WebUserDep):
    """撤回后修改: the drafter takes an item out of review (back to draft) and lands in the editor."""
    await read_form(request)
    item_for_viewer(session, user, item_id, roles(request))
    try:
        workflow.apply_action(session, item_id=item_id, actor=user, action="recall", channel="web")
        session.commit()
    except DomainError as exc:
        session.rollback()
        notice = _notice_token(request, f"未能撤回：{exc.message}")
        return RedirectResponse(f"/items/{item_id}/edit?notice={notice}", status_code=303)
    notice = _notice_token(request, "已撤回为草稿，可以修改；修改后请重新提交审核。")
    return RedirectResponse(f"/items/{item_id}/edit?notice={notice}", status_code=303)


def _submit(request: Request, session, user: User, item_id: int):
    """Submit a draft that was just saved; a refusal keeps the draft and says both things."""
    try:
        workflow.apply_action(session, item_id=item_id, actor=user, action="submit", channel="web")
        session.commit()
    except DomainError as exc:
        session.rollback()
        notice = _notice_token(request, f"已保存为草稿，但未能提交审核：{exc.message}")
        return _go(request, f"/items/{item_id}/edit?saved=1&notice={notice}")
    return _go(request, f"/items/{item_id}?submitted=1")


def _invalid(request: Request, session, user: User, item: Item | None, values: dict, *, errors: dict,
             message: str | None = None, status: int = 422, code: str = "invalid_form"):
    """Nothing was saved: the script shows the errors beside the fields and keeps the text."""
    if _fetching(request):
        text = message or f"表单有 {len(errors)} 处需要修改，请查看标红的字段。"
        return JSONResponse({"ok": False, "code": code, "message": text, "errors": errors, "saved": False},
                            status_code=status)
    return _editor(request, session, user, item, values, errors=errors, message=message, status=status,
                   readonly=False)


def _failed(request: Request, session, user: User, item: Item | None, values: dict, exc: DomainError):
    if exc.status in (403, 404) and not _fetching(request):
        raise exc
    field = field_of(exc)
    errors = {field: exc.message} if field else {}
    return _invalid(request, session, user, item, values, errors=errors, message=None if field else exc.message,
                    status=exc.status, code=exc.code)
