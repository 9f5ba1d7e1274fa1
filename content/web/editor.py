"""The editor: create and edit items, check results before submission, submit."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from content import workflow
from content.deps import SessionDep
from content.errors import DomainError, Forbidden
from content.models import Item, Taxonomy, User
from content.store import create_item, run_checks, update_item
from content.web.access import item_for_viewer
from content.web.forms import CHANNEL_CHOICES, categories, field_of, parse_editor_form, values_from_item
from content.web.session import WebUserDep, read_form, roles
from content.web.templating import render
from content.web.uploads import ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES, DOCX_MAX_BYTES, IMAGE_MAX_BYTES

router = APIRouter()


def _editor(request: Request, session, user: User, item: Item | None, values: dict, *,
            errors: dict | None = None, message: str | None = None, status: int = 200, saved: bool = False):
    checks = run_checks(session, item) if item is not None else None
    actions = workflow.available_actions(session, item, user) if item is not None else []
    return render(request, "editor.html", {
        "item": item, "v": values, "errors": errors or {}, "message": message, "checks": checks,
        "actions": actions, "saved": saved,
        "topics": categories(session, user.org_id, Taxonomy.topic),
        "areas": categories(session, user.org_id, Taxonomy.area),
        "channel_choices": CHANNEL_CHOICES, "docx_max_mb": DOCX_MAX_BYTES // (1024 * 1024),
        "image_max_kb": IMAGE_MAX_BYTES // 1024, "attachment_max_kb": ATTACHMENT_MAX_BYTES // 1024,
        "attachment_types": ATTACHMENT_TYPES,
    }, status=status)  # fmt: skip


@router.get("/items/new", name="web_item_new")
def new_item(request: Request, session: SessionDep, user: WebUserDep):
    if not roles(request) & {"drafter", "admin"}:
        raise Forbidden("not_drafter", "只有拟稿人可以新建稿件")
    return _editor(request, session, user, None, values_from_item(None))


@router.post("/items/new")
async def create(request: Request, session: SessionDep, user: WebUserDep):
    form = await read_form(request)
    values, data, errors = parse_editor_form(form)
    if errors:
        return _editor(request, session, user, None, values, errors=errors, status=422)
    try:
        item = create_item(session, actor=user, data=data, channel="web")
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _failed(request, session, user, None, values, exc)
    if form.get("intent") == "submit":
        return await _submit(request, session, user, item.id, values)
    return RedirectResponse(f"/items/{item.id}/edit?saved=1", status_code=303)


@router.get("/items/{item_id}/edit", name="web_item_edit")
def edit_page(request: Request, item_id: int, session: SessionDep, user: WebUserDep, saved: int = 0):
    item = item_for_viewer(session, user, item_id, roles(request))
    return _editor(request, session, user, item, values_from_item(item), saved=bool(saved))


@router.post("/items/{item_id}/edit")
async def save(request: Request, item_id: int, session: SessionDep, user: WebUserDep):
    form = await read_form(request)
    item = item_for_viewer(session, user, item_id, roles(request))
    values, data, errors = parse_editor_form(form)
    if errors:
        return _editor(request, session, user, item, values, errors=errors, status=422)
    try:
        update_item(session, actor=user, item_id=item_id, changes=data, channel="web")
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _failed(request, session, user, session.get(Item, item_id), values, exc)
    if form.get("intent") == "submit":
        return await _submit(request, session, user, item_id, values)
    return RedirectResponse(f"/items/{item_id}/edit?saved=1", status_code=303)


async def _submit(request: Request, session, user: User, item_id: int, values: dict):
    try:
        workflow.apply_action(session, item_id=item_id, actor=user, action="submit", channel="web")
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _failed(request, session, user, session.get(Item, item_id), values, exc)
    return RedirectResponse(f"/items/{item_id}?submitted=1", status_code=303)


def _failed(request: Request, session, user: User, item: Item | None, values: dict, exc: DomainError):
    if exc.status in (403, 404):
        raise exc
    field = field_of(exc)
    errors = {field: exc.message} if field else {}
    return _editor(request, session, user, item, values, errors=errors, message=None if field else exc.message,
                   status=exc.status)
