"""Images of a signed mobile preview, for a reader who holds the link but has no web session.

`/files/<sha256>` answers only signed-in staff or, once published, the public; a leader opening the
bot's preview link inside WeCom is usually neither, so the preview names its images by
`/m/preview/<token>/files/<sha256>`. The token opens exactly one revision (content.preview), and only
files that revision references are served, verified against their hash like every read.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from content.errors import NotFound
from content.files import context_for_app
from content.files.refs import files_of
from content.files.store import clean_name, read_file
from content.preview import open_preview
from web.deps import SessionDep
from web.pages.item_media import FILE_CSP, INLINE_TYPES, content_disposition

router = APIRouter()
_FILE_ATTR = re.compile(r"""(\bsrc\s*=\s*)(["'])/files/([0-9a-f]{64})(?:[?#][^"']*)?\2""", re.IGNORECASE)
_OWN = re.compile(r"^/files/([0-9a-f]{64})(?:[?#].*)?$")


def preview_file_url(token: str, url: str | None) -> str | None:
    """The token-scoped URL of one of our files; other URLs unchanged."""
    m = _OWN.match(url) if isinstance(url, str) else None
    return f"/m/preview/{token}/files/{m.group(1)}" if m else url


def preview_html(token: str, html: str) -> str:
    """Body HTML whose images come through the preview's token."""
    if not html or "/files/" not in html:
        return html or ""
    return _FILE_ATTR.sub(lambda m: f"{m.group(1)}{m.group(2)}/m/preview/{token}/files/{m.group(3)}{m.group(2)}",
                          html)


@router.get("/m/preview/{token}/files/{sha256}", name="mobile_preview_file")
def preview_file(request: Request, token: str, sha256: str, session: SessionDep) -> Response:
    secret = request.app.state.settings.secret_key.get_secret_value()
    item, revision = open_preview(session, secret, token)  # forged, expired or outdated: 403
    if sha256 not in files_of(revision.content or {}):
        raise NotFound("file_not_found", "文件不存在或不属于此预览")
    row, data = read_file(session, context_for_app(request.app.state).backend, org_id=item.org_id, sha256=sha256)
    mime = row.mime_type or "application/octet-stream"
    kind = "inline" if mime in INLINE_TYPES else "attachment"
    return Response(data, media_type=mime, headers={
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": FILE_CSP,
        "Content-Disposition": content_disposition(kind, clean_name(row.original_name, "file")),
        "Cache-Control": "private, max-age=3600", "Referrer-Policy": "no-referrer",
    })  # fmt: skip
