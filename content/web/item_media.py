"""The editor's cover image and attachments: one upload per request, each an edit of the item.

They are stored like body images, as data: URIs inside the item (`cover_image`, `attachments` as
[{name, data}]), so a revision and its content hash hold exactly the bytes that will be published.
Each change goes through `store.update_item`, so the review chain decides who may edit and what an
edit voids, exactly as for the editor's main form.
"""

from __future__ import annotations

import base64
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from content.deps import SessionDep
from content.errors import DomainError, Invalid, NotFound
from content.models import Item
from content.store import update_item
from content.web.access import item_for_viewer
from content.web.editor import _editor
from content.web.forms import values_from_item
from content.web.session import WebUserDep, read_form, roles
from content.web.uploads import UploadRefused, attachment_entry, image_data_uri

router = APIRouter()
MAX_ATTACHMENTS = 10


def _file(form) -> UploadFile:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise UploadRefused("file_required", "请选择要上传的文件", status=422)
    return upload


async def _change(request: Request, session, user, item_id: int, field: str, make_changes):
    """Read the form, compute the change with `make_changes(form, item)`, save it; errors inline."""
    form = await read_form(request)
    item = item_for_viewer(session, user, item_id, roles(request))
    try:
        changes = await make_changes(form, item)
        update_item(session, actor=user, item_id=item_id, changes=changes, channel="web")
        session.commit()
    except DomainError as exc:
        session.rollback()
        if exc.status in (403, 404):
            raise
        item = session.get(Item, item_id)
        return _editor(request, session, user, item, values_from_item(item), errors={field: exc.message},
                       status=exc.status)
    return RedirectResponse(f"/items/{item_id}/edit?saved=1#media", status_code=303)


@router.post("/items/{item_id}/cover")
async def set_cover(request: Request, item_id: int, session: SessionDep, user: WebUserDep):
    async def changes(form, item):
        return {"cover_image": await image_data_uri(_file(form))}

    return await _change(request, session, user, item_id, "cover_image", changes)


@router.post("/items/{item_id}/cover/delete")
async def remove_cover(request: Request, item_id: int, session: SessionDep, user: WebUserDep):
    async def changes(form, item):
        return {"cover_image": None}

    return await _change(request, session, user, item_id, "cover_image", changes)


@router.post("/items/{item_id}/attachments")
async def add_attachment(request: Request, item_id: int, session: SessionDep, user: WebUserDep):
    async def changes(form, item):
        current = list(item.attachments or [])
        if len(current) >= MAX_ATTACHMENTS:
            raise Invalid("too_many_attachments", f"每篇稿件最多 {MAX_ATTACHMENTS} 个附件")
        return {"attachments": [*current, await attachment_entry(_file(form))]}

    return await _change(request, session, user, item_id, "attachments", changes)


@router.post("/items/{item_id}/attachments/delete")
async def remove_attachment(request: Request, item_id: int, session: SessionDep, user: WebUserDep):
    async def changes(form, item):
        current = list(item.attachments or [])
        index = str(form.get("index") or "")
        # the name guards against a page that is older than the list (someone removed one meanwhile)
        if not index.isdigit() or int(index) >= len(current) or _name(current[int(index)]) != form.get("name"):
            raise Invalid("attachment_changed", "附件列表已变化，请刷新页面后再操作")
        del current[int(index)]
        return {"attachments": current}

    return await _change(request, session, user, item_id, "attachments", changes)


@router.get("/items/{item_id}/attachments/{index}")
def download_attachment(request: Request, item_id: int, index: int, session: SessionDep, user: WebUserDep):
    item = item_for_viewer(session, user, item_id, roles(request))
    entries = list(item.attachments or [])
    if not 0 <= index < len(entries) or not isinstance(entries[index], dict):
        raise NotFound("attachment_not_found", "附件不存在")
    entry = entries[index]
    data = str(entry.get("data") or "")
    if not data.startswith("data:"):  # a link stored by the API or an import: send the reader there
        url = str(entry.get("url") or "")
        if not url.startswith(("http://", "https://")):
            raise NotFound("attachment_not_found", "附件不存在")
        return RedirectResponse(url, status_code=303)
    header, _, payload = data.partition(",")
    mime = header[5:].split(";")[0] or "application/octet-stream"
    return Response(base64.b64decode(payload), media_type=mime, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(_name(entry))}"})


def _name(entry) -> str:
    return str(entry.get("name") or "") if isinstance(entry, dict) else str(entry)
