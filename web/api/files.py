"""`POST /api/v1/files`: a file into the store for API clients (multipart, bearer token).

The same checks and limits as the editor's uploads (web/pages/uploads.py): `kind=image` takes a
jpg/png up to GONGKAI_IMAGE_MAX_BYTES (body images and covers), `kind=attachment` (the default) a
pdf/Word/Excel/zip/jpg/png up to GONGKAI_ATTACHMENT_MAX_BYTES whose first bytes match its extension.
The answer's `url` (`/files/<sha256>`) is what an item's `cover_image`, `attachments[].url` or a body
`<img src>` then names. The route has the larger request body cap (`UPLOAD_PATHS`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from content.errors import DomainError, Invalid
from content.files import context_for_app, file_url, save_file
from content.files.store import check_attachment, check_image, clean_name
from web.api.auth import CurrentUserDep
from web.deps import SessionDep

router = APIRouter(prefix="/files", tags=["files"])
KINDS = ("image", "attachment")


class StoredFilePublic(BaseModel):
    url: str
    sha256: str
    size: int
    mime: str
    name: str


@router.post("", response_model=StoredFilePublic, summary="上传文件（图片或附件）到文件存储",
             responses={413: {"description": "文件过大"}, 415: {"description": "文件类型不符"},
                        422: {"description": "缺少文件或 kind 无效"}})
async def upload_file(request: Request, session: SessionDep, user: CurrentUserDep) -> StoredFilePublic:
    """multipart/form-data: `file` (required) and `kind` = `image` | `attachment` (default)."""
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise Invalid("file_required", "请在 multipart 表单的 file 字段中提供要上传的文件", field="file")
    kind = str(form.get("kind") or "attachment")
    if kind not in KINDS:
        raise Invalid("invalid_kind", "kind 只能是 image（图片、封面）或 attachment（附件）", field="kind")
    ctx = context_for_app(request.app.state)
    image = kind == "image"
    name = clean_name(upload.filename, "图片" if image else "附件")
    limit = ctx.image_max_bytes if image else ctx.attachment_max_bytes
    data = await upload.read(limit + 1)  # one byte over the limit is enough to refuse
    try:
        mime = check_image(data, limit) if image else check_attachment(name, data, limit)
        row = save_file(session, ctx.backend, org_id=user.org_id, data=data, name=name, mime=mime,
                        created_by=user.id)
        session.commit()
    except DomainError:
        session.rollback()
        raise
    return StoredFilePublic(url=file_url(row.sha256), sha256=row.sha256, size=row.size, mime=row.mime_type,
                            name=name)
