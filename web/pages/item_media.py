"""Stored files served to readers (`GET /files/<sha256>`) and the old per-item attachment links.

Who may read a file: signed-in staff of the org that stored it (drafts included); anyone else only
when a published item of that org references it. Everything else is a 404, so the answer does not
tell whether an unpublished file exists. The bytes are verified against their hash on every read.

Headers make a file inert wherever it is opened: the stored mime type (never guessed from the URL),
`nosniff`, a `sandbox` CSP, `attachment` (with an RFC 5987 UTF-8 name) for everything but images, and
a year of immutable caching (the URL is the content's hash). A public file answers
`Cross-Origin-Resource-Policy: cross-origin` so the portal's article pages can embed it; a file only
staff may read stays `same-site`.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from content.errors import NotFound
from content.files import context_for_app, file_url, sha_of_url
from content.files.models import StoredFile
from content.files.refs import published_orgs_of
from content.files.store import ATTACHMENT_TYPES, clean_name, find_file, read_verified
from content.models import User
from web.deps import SessionDep
from web.pages.access import item_for_viewer
from web.pages.session import WebUserDep, optional_user, roles

router = APIRouter()
_SHA = re.compile(r"^[0-9a-f]{64}$")
INLINE_TYPES = ("image/jpeg", "image/png")
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def _readable(session, user: User | None, sha256: str) -> tuple[StoredFile, bool]:
    """The row the reader may see and whether it is public (published); NotFound otherwise."""
    public_orgs = published_orgs_of(session, sha256)
    if user is not None:
        row = find_file(session, org_id=user.org_id, sha256=sha256)
        if row is not None:
            return row, user.org_id in public_orgs
    for org_id in sorted(public_orgs):
        row = find_file(session, org_id=org_id, sha256=sha256)
        if row is not None:
            return row, True
    raise NotFound("file_not_found", "文件不存在或尚未公开")


def content_disposition(kind: str, name: str) -> str:
    """`inline`/`attachment` with an ASCII fallback and the RFC 5987 UTF-8 name."""
    ascii_name = re.sub(r'[^\x20-\x7e]|["\\]', "_", name) or "file"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.get("/files/{sha256}", name="stored_file")
def serve_file(request: Request, sha256: str, session: SessionDep,
               user: Annotated[User | None, Depends(optional_user)], name: str | None = None):
    if not _SHA.match(sha256):
        raise NotFound("file_not_found", "文件不存在或尚未公开")
    row, public = _readable(session, user, sha256)
    data = read_verified(context_for_app(request.app.state).backend, sha256)
    mime = row.mime_type or "application/octet-stream"
    filename = clean_name(name or row.original_name, "file")
    kind = "inline" if mime in INLINE_TYPES else "attachment"
    return Response(data, media_type=mime, headers={
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": FILE_CSP,
        "Content-Disposition": content_disposition(kind, filename),
        "Cache-Control": f"{'public' if public else 'private'}, max-age=31536000, immutable",
        "ETag": f'"{sha256}"',
        # A published file is embedded by the portal (another site); staff-only files stay same-site.
        "Cross-Origin-Resource-Policy": "cross-origin" if public else "same-site",
    })


@router.get("/items/{item_id}/attachments/{index}")
def download_attachment(request: Request, item_id: int, index: int, session: SessionDep, user: WebUserDep):
    """Links of older pages: the attachment's file (or the link an API client gave)."""
    item = item_for_viewer(session, user, item_id, roles(request))
    entries = list(item.attachments or [])
    if not 0 <= index < len(entries) or not isinstance(entries[index], dict):
        raise NotFound("attachment_not_found", "附件不存在")
    entry = entries[index]
    url = str(entry.get("url") or "")
    sha = sha_of_url(url)
    if sha:
        return RedirectResponse(f"{file_url(sha)}?name={quote(str(entry.get('name') or ''))}", status_code=303)
    if not url and isinstance(entry.get("data"), str):  # a `{name, data}` row written without a store
        return _legacy_download(entry)
    if not url.startswith(("http://", "https://")):
        raise NotFound("attachment_not_found", "附件不存在")
    return RedirectResponse(url, status_code=303)


def _legacy_download(entry: dict) -> Response:
    """The bytes of a data: URI attachment kept from before the file store (migration 0012 moves them;
    this serves any written since by code without a store), with the same inert headers as `/files/`."""
    import base64
    import binascii

    match = re.match(r"^data:[\w/+.-]*(?:;[\w=.-]+)*;base64,(.*)$", entry["data"], re.S)
    try:
        data = base64.b64decode(match.group(1), validate=True) if match else None
    except (binascii.Error, ValueError):
        data = None
    if data is None:
        raise NotFound("attachment_not_found", "附件不存在")
    name = clean_name(str(entry.get("name") or ""), "file")
    mime = next((m for ext, (m, magic) in ATTACHMENT_TYPES.items()
                 if name.lower().endswith("." + ext) and data.startswith(magic)), "application/octet-stream")
    return Response(data, media_type=mime, headers={
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": FILE_CSP,
        "Content-Disposition": content_disposition("attachment", name), "Cache-Control": "private, no-store"})
