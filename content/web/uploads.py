"""Uploads from the editor: .docx import (mammoth), images (jpg/png under 1 MB), cover and attachment checks.

Both answer JSON for the editor's script: {"html": ...} / {"url": ..., "alt": ...} on success and
{"code", "message"} with a 4xx status otherwise. Images become data: URIs inside the body, so a
revision (and its content hash) holds exactly the bytes that will be published.
"""

from __future__ import annotations

import base64
import io
import zipfile

import mammoth
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from content.errors import DomainError
from content.html import sanitize
from content.web.session import CsrfFailed, WebUserDep, read_form

router = APIRouter()

DOCX_MAX_BYTES = 1024 * 1024  # stays below the app's request body limit, multipart overhead included
IMAGE_MAX_BYTES = 1024 * 1024  # the official account's limit for article images
_IMAGE_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
# Attachments: one file per request, so the form stays below the app's request body limit (2 MB).
ATTACHMENT_MAX_BYTES = 1536 * 1024
_OLE, _ZIP = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"PK\x03\x04"
ATTACHMENT_TYPES: dict[str, tuple[str, bytes]] = {
    "pdf": ("application/pdf", b"%PDF-"),
    "doc": ("application/msword", _OLE),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    "xls": ("application/vnd.ms-excel", _OLE),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "zip": ("application/zip", _ZIP),
}


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


@router.post("/items/import-docx", name="web_import_docx")
async def import_docx(request: Request, user: WebUserDep):
    upload, refusal = await _file(request)
    if refusal:
        return refusal
    name = (upload.filename or "").lower()
    data = await upload.read(DOCX_MAX_BYTES + 1)
    if len(data) > DOCX_MAX_BYTES:
        return _refuse(413, "docx_too_large", f"文件过大：Word 文档不能超过 {DOCX_MAX_BYTES // (1024 * 1024)} MB")
    if not name.endswith(".docx") or not zipfile.is_zipfile(io.BytesIO(data)):
        return _refuse(415, "not_docx", "只能导入 .docx 格式的 Word 文档（.doc 请先在 Word 中另存为 .docx）")
    try:
        result = mammoth.convert_to_html(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - any parser failure is "not a readable docx" for the user
        return _refuse(422, "docx_unreadable", "无法读取该 Word 文档，请确认文件未损坏")
    html = sanitize(result.value)
    if not html.strip():
        return _refuse(422, "docx_empty", "Word 文档中没有可导入的内容")
    return {"html": html, "warnings": len(result.messages)}


@router.post("/items/upload-image", name="web_upload_image")
async def upload_image(request: Request, user: WebUserDep):
    upload, refusal = await _file(request)
    if refusal:
        return refusal
    try:
        url = await image_data_uri(upload)
    except UploadRefused as exc:
        return _refuse(exc.status, exc.code, exc.message)
    alt = (upload.filename or "图片").rsplit(".", 1)[0][:60]
    return {"url": url, "alt": alt}


class UploadRefused(DomainError):
    """An upload the editor refuses; `status` is 413 (too large), 415 (wrong type) or 422."""


async def image_data_uri(upload: UploadFile) -> str:
    """A jpg/png under 1 MB as a data: URI (body images and the cover alike), else `UploadRefused`."""
    data = await upload.read(IMAGE_MAX_BYTES + 1)
    if len(data) >= IMAGE_MAX_BYTES:
        raise UploadRefused("image_too_large", "图片过大：公众号图片须小于 1 MB，请压缩后再上传", status=413)
    mime = next((m for magic, m in _IMAGE_TYPES.items() if data.startswith(magic)), None)
    if mime is None:
        raise UploadRefused("image_type", "只能上传 jpg 或 png 格式的图片", status=415)
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


async def attachment_entry(upload: UploadFile) -> dict[str, str]:
    """An attachment as stored in `Item.attachments`: {name, data} with a data: URI, else `UploadRefused`.

    The file's first bytes must match its extension (a renamed .exe is not a .pdf)."""
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:100]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ATTACHMENT_TYPES:
        raise UploadRefused("attachment_type", f"附件只能是 {'、'.join(ATTACHMENT_TYPES)} 格式", status=415)
    data = await upload.read(ATTACHMENT_MAX_BYTES + 1)
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise UploadRefused("attachment_too_large",
                            f"附件过大：每个附件不能超过 {ATTACHMENT_MAX_BYTES // 1024} KB", status=413)
    mime, magic = ATTACHMENT_TYPES[ext]
    if not data.startswith(magic):
        raise UploadRefused("attachment_content", f"文件内容不是有效的 .{ext} 文件", status=415)
    return {"name": name, "data": f"data:{mime};base64,{base64.b64encode(data).decode()}"}
