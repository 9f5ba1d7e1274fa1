"""The editor's 导入 Word: POST /items/import-docx → {"html", "warnings", "images"} or {"code", "message"}.

The conversion runs in a limited child process (content.docx_import) and is awaited from a worker
thread, so the server keeps answering while a document converts. Photos of the document are stored
in the file store (jpg/png, like an uploaded image) and referenced by their /files/ URL; pictures in
other formats (EMF/WMF drawings) are left out and counted in the answer. A .docx may be up to 20 MB
(phone photos pasted into Word), so its photos are shrunk on the server as the browser shrinks uploads
(long side ≤ 1920 px, JPEG under 1 MB: `channels.mp.mp_images.fit_for_wechat`) before they are stored.
"""

from __future__ import annotations

import asyncio
import base64
import re

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from content.docx_import import DOCX_MAX_BYTES, IMAGE_PREFIX, Converted, DocxRefused, convert
from content.errors import DomainError
from content.html import sanitize
from content.models import User
from web.deps import SessionDep
from web.pages.session import CsrfFailed, WebUserDep, read_form

router = APIRouter()
_WEB_IMAGE_TYPES = {"image/jpeg", "image/png"}
DOCX_PATH = "/items/import-docx"
PHOTO_MAX_BYTES = 1024 * 1024  # as media.js shrinks an uploaded photo


def docx_body_limit(settings) -> dict[str, int]:
    """The request body cap of the import route (a 20 MB .docx plus the multipart envelope)."""
    return {DOCX_PATH: max(DOCX_MAX_BYTES + 64 * 1024, settings.max_body_bytes)}


def _shrunk(image) -> bytes:
    """A photo as an uploaded one ends up: long side ≤ 1920 px and under 1 MB; unreadable ones unchanged
    (check_image refuses them with its own message)."""
    from channels.mp.mp_images import ImageUnfit, fit_for_wechat

    try:
        return fit_for_wechat("word-image", image.data, PHOTO_MAX_BYTES)[1]
    except ImageUnfit:
        return image.data


def _refuse(exc: DomainError) -> JSONResponse:
    return JSONResponse({"code": exc.code, "message": exc.message}, status_code=exc.status)


@router.post(DOCX_PATH, name="web_import_docx")
async def import_docx(request: Request, session: SessionDep, user: WebUserDep):
    try:
        form = await read_form(request)
    except CsrfFailed as exc:
        return _refuse(exc)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return JSONResponse({"code": "file_required", "message": "请选择要上传的文件"}, status_code=422)
    data = await upload.read(DOCX_MAX_BYTES + 1)
    if not (upload.filename or "").lower().endswith(".docx"):
        return _refuse(DocxRefused("not_docx", "只能导入 .docx 格式的 Word 文档（.doc 请先在 Word 中另存为 .docx）",
                                   status=415))
    command = getattr(request.app.state, "docx_converter", None)  # tests put a fake converter here
    try:
        result = await asyncio.to_thread(convert, data, command=command)
        html, skipped = _place_images(request, session, user, result)
    except DomainError as exc:
        session.rollback()
        return _refuse(exc)
    html = sanitize(html)
    if not html.strip():
        return _refuse(DocxRefused("docx_empty", "Word 文档中没有可导入的内容"))
    return {"html": html, "warnings": result.messages, "images": len(result.images) - skipped,
            "skipped_images": skipped}


def _place_images(request: Request, session, user: User, result: Converted) -> tuple[str, int]:
    """Replace `docx-image:N` sources with stored-file URLs; (html, images left out)."""
    store = _file_store(request, session, user)
    html, skipped = result.html, 0
    for n, image in enumerate(result.images):
        placeholder = f'src="{IMAGE_PREFIX}{n}"'
        if image.mime not in _WEB_IMAGE_TYPES:
            html, skipped = html.replace(placeholder, 'src=""'), skipped + 1
            continue
        if store is None:
            url = f"data:{image.mime};base64,{base64.b64encode(image.data).decode()}"
        else:
            url = store(image)
        html = html.replace(placeholder, f'src="{url}"')
    if store is not None:
        session.commit()
    return _drop_empty_images(html), skipped


def _file_store(request: Request, session, user: User):
    """A function storing one image and returning its URL, or None without a file store."""
    try:
        from content.files import context_for_app, file_url, save_file
        from content.files.store import check_image
    except ImportError:  # no file store in this installation: images stay data: URIs
        return None
    ctx = context_for_app(request.app.state)

    def store(image) -> str:
        data = _shrunk(image)
        mime = check_image(data, ctx.image_max_bytes)
        row = save_file(session, ctx.backend, org_id=user.org_id, data=data, name="word-image",
                        mime=mime, created_by=user.id)
        return file_url(row.sha256)

    return store


def _drop_empty_images(html: str) -> str:
    return re.sub(r'<img\b[^>]*\bsrc=""[^>]*>', "", html)
