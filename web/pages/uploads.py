"""Uploads from the editor: images (body and cover) and attachments (.docx import: web/pages/docx_upload.py).

All answer JSON for the editor's scripts: {"html": ...} / {"url", "name", "size", "mime", "sha256"} on
success and {"code", "message"} with a 4xx status otherwise. Images and attachments go to the file store
(`content.files`) and are referenced by `/files/<sha256>`, so a revision (and its content hash) names
exactly the bytes that will be published. Their routes get a larger request body cap than the rest of
the app (`upload_body_limits`, applied by `app.factory`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from content.errors import DomainError
from content.files import StoredFile, context_for_app, file_url, save_file
from content.files.store import (
    ATTACHMENT_TYPES,
    DEFAULT_ATTACHMENT_MAX_BYTES,
    DEFAULT_IMAGE_MAX_BYTES,
    check_attachment,
    check_image,
    clean_name,
)
from web.deps import SessionDep
from web.pages.session import CsrfFailed, WebUserDep, read_form

router = APIRouter()

# The defaults of GONGKAI_IMAGE_MAX_BYTES / GONGKAI_ATTACHMENT_MAX_BYTES, shown by the editor's labels.
IMAGE_MAX_BYTES, ATTACHMENT_MAX_BYTES = DEFAULT_IMAGE_MAX_BYTES, DEFAULT_ATTACHMENT_MAX_BYTES


def _refuse(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


async def _file(request: Request) -> tuple[UploadFile | None, JSONResponse | None]:
    try:
        form = await read_form(request)
    except CsrfFailed as exc:
        return None, _refuse(403, exc.code, exc.message)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return None, _refuse(422, "file_required", "请选择要上传的文件")
    return upload, None


@router.post("/items/upload-image", name="web_upload_image")
async def upload_image(request: Request, session: SessionDep, user: WebUserDep):
    """A body image or a cover: jpg/png up to the image limit, into the file store; JSON {url, alt, …}."""
    upload, refusal = await _file(request)
    if refusal:
        return refusal
    ctx = context_for_app(request.app.state)
    try:
        data = await upload.read(ctx.image_max_bytes + 1)
        mime = check_image(data, ctx.image_max_bytes)
        row = save_file(session, ctx.backend, org_id=user.org_id, data=data, name=upload.filename or "image",
                        mime=mime, created_by=user.id)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _refuse(exc.status, exc.code, exc.message)
    alt = clean_name(upload.filename, "图片").rsplit(".", 1)[0][:60]
    return {"url": file_url(row.sha256), "alt": alt, **_described(row)}


@router.post("/items/upload-attachment", name="web_upload_attachment")
async def upload_attachment(request: Request, session: SessionDep, user: WebUserDep):
    """An attachment (pdf, Word, Excel, zip, jpg/png) whose first bytes match its extension; JSON."""
    upload, refusal = await _file(request)
    if refusal:
        return refusal
    ctx = context_for_app(request.app.state)
    name = clean_name(upload.filename, "附件")
    try:
        data = await upload.read(ctx.attachment_max_bytes + 1)
        mime = check_attachment(name, data, ctx.attachment_max_bytes)
        row = save_file(session, ctx.backend, org_id=user.org_id, data=data, name=name, mime=mime,
                        created_by=user.id)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _refuse(exc.status, exc.code, exc.message)
    return {"url": file_url(row.sha256), **_described(row), "name": name}


def _described(row: StoredFile) -> dict:
    return {"sha256": row.sha256, "size": row.size, "mime": row.mime_type, "name": row.original_name}


__all__ = ["ATTACHMENT_MAX_BYTES", "ATTACHMENT_TYPES", "IMAGE_MAX_BYTES", "router"]
UPLOAD_PATHS = ("/items/upload-image", "/items/upload-attachment", "/api/v1/files")
MULTIPART_OVERHEAD = 64 * 1024


def upload_body_limits(settings) -> dict[str, int]:
    """The request body cap of the upload routes (the rest of the app keeps `max_body_bytes`)."""
    biggest = max(settings.image_max_bytes, settings.attachment_max_bytes) + MULTIPART_OVERHEAD
    return {path: max(biggest, settings.max_body_bytes) for path in UPLOAD_PATHS}
