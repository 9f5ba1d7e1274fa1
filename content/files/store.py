"""Saving and reading stored files: one object per SHA-256, one `StoredFile` row per org and hash.

Reading for publication verifies the hash of the bytes read back, so a file altered in the store is
refused instead of published (what is published is byte-for-byte the approved revision, and a
revision names its files by hash).
"""

from __future__ import annotations

import hashlib
import re

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from content.errors import DomainError, NotFound
from content.files.backends import FileBackend, FileStoreUnavailable
from content.files.models import StoredFile

DEFAULT_IMAGE_MAX_BYTES = 10 * 1024 * 1024  # the mp channel shrinks images to WeChat's < 1 MB itself
DEFAULT_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
FILE_PATH = re.compile(r"^/files/([0-9a-f]{64})(?:[/?#].*)?$")

IMAGE_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
_OLE, _ZIP = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"PK\x03\x04"
ATTACHMENT_TYPES: dict[str, tuple[str, bytes]] = {
    "pdf": ("application/pdf", b"%PDF-"),
    "doc": ("application/msword", _OLE),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    "xls": ("application/vnd.ms-excel", _OLE),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "zip": ("application/zip", _ZIP),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
}


class FileRefused(DomainError):
    """A file the store does not take: `status` 413 (too large), 415 (wrong type) or 422."""

    status = 422


class FileUnreadable(DomainError):
    """A stored file that is missing or whose bytes no longer match its hash (altered): never published."""

    status = 409


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_url(sha256: str) -> str:
    """The URL by which items reference a stored file (relative: it stays valid when the host changes)."""
    return f"/files/{sha256}"


def sha_of_url(url: str | None, public_url: str = "") -> str | None:
    """The hash named by one of our file URLs (`/files/<sha>` or `<public_url>/files/<sha>`), else None."""
    if not url:
        return None
    base = public_url.rstrip("/")
    if base and url.startswith(base + "/files/"):
        url = url[len(base):]
    match = FILE_PATH.match(url)
    return match.group(1) if match else None


def clean_name(name: str | None, fallback: str = "file") -> str:
    """The last path part of an uploaded file's name, without control characters, at most 100 characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    return name[:100] or fallback


def image_type(data: bytes) -> str | None:
    return next((m for magic, m in IMAGE_TYPES.items() if data.startswith(magic)), None)


def check_image(data: bytes, max_bytes: int) -> str:
    """The mime type of a jpg/png of at most `max_bytes`, else `FileRefused`."""
    if len(data) > max_bytes:
        raise FileRefused("image_too_large", f"图片过大：不能超过 {_size(max_bytes)}", status=413)
    mime = image_type(data)
    if mime is None:
        raise FileRefused("image_type", "只能上传 jpg 或 png 格式的图片", status=415)
    return mime


def check_attachment(name: str, data: bytes, max_bytes: int) -> str:
    """The mime type of an attachment whose first bytes match its extension, else `FileRefused`."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ATTACHMENT_TYPES:
        raise FileRefused("attachment_type", f"附件只能是 {'、'.join(ATTACHMENT_TYPES)} 格式", status=415)
    if len(data) > max_bytes:
        raise FileRefused("attachment_too_large", f"附件过大：每个附件不能超过 {_size(max_bytes)}", status=413)
    mime, magic = ATTACHMENT_TYPES[ext]
    if not data.startswith(magic):
        raise FileRefused("attachment_content", f"文件内容不是有效的 .{ext} 文件", status=415)
    return mime


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def save_file(session: Session, backend: FileBackend, *, org_id: int, data: bytes, name: str, mime: str,
              created_by: int | None) -> StoredFile:
    """Store the bytes (once per hash) and return the org's row for them; the caller commits.

    The object is written before the row is flushed, so a committed row always has its bytes; an
    object without a row (a rolled-back upload) is harmless and is reused by the next upload."""
    sha = sha256_of(data)
    try:
        backend.put(sha, data)
    except FileStoreUnavailable as exc:
        raise DomainError("file_store_unavailable", f"文件存储暂时不可用，请稍后重试：{exc}", status=503) from exc
    row = _row(session, org_id, sha)
    if row is not None:
        return row
    row = StoredFile(org_id=org_id, sha256=sha, size=len(data), mime_type=mime, original_name=clean_name(name),
                     created_by=created_by)
    try:
        with session.begin_nested():  # two uploads of the same bytes at once: the loser reads the winner's row
            session.add(row)
    except IntegrityError:
        row = _row(session, org_id, sha)
        assert row is not None
    return row


def _row(session: Session, org_id: int, sha: str) -> StoredFile | None:
    return session.exec(select(StoredFile).where(StoredFile.org_id == org_id, StoredFile.sha256 == sha)).first()


def find_file(session: Session, *, org_id: int, sha256: str) -> StoredFile | None:
    return _row(session, org_id, sha256)


def read_file(session: Session, backend: FileBackend, *, org_id: int, sha256: str) -> tuple[StoredFile, bytes]:
    """The org's file and its bytes, verified against the hash; `NotFound` or `FileUnreadable` otherwise."""
    row = _row(session, org_id, sha256)
    if row is None:
        raise NotFound("file_not_found", "文件不存在")
    return row, read_verified(backend, sha256)


def read_verified(backend: FileBackend, sha256: str) -> bytes:
    """The bytes named by `sha256`, or `FileUnreadable` when missing or altered."""
    try:
        data = backend.get(sha256)
    except FileStoreUnavailable as exc:
        raise DomainError("file_store_unavailable", f"文件存储暂时不可用，请稍后重试：{exc}", status=503) from exc
    if data is None:
        raise FileUnreadable("file_missing", f"文件 {sha256[:12]}… 在文件存储中不存在")
    if sha256_of(data) != sha256:
        raise FileUnreadable("file_altered", f"文件 {sha256[:12]}… 的内容与登记的哈希不符（已被改动），拒绝使用")
    return data


def publishing_reader(engine, backend: FileBackend):
    """`(org_id, sha256) → (name, verified bytes)` for the channels (their own short session per read)."""
    from sqlmodel import Session as _Session

    def read(org_id: int, sha256: str) -> tuple[str, bytes]:
        with _Session(engine) as session:
            row, data = read_file(session, backend, org_id=org_id, sha256=sha256)
            return row.original_name or f"{sha256[:12]}", data

    return read
