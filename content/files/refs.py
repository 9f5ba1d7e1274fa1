"""How items reference stored files, and the rules on what an item may reference.

An item's cover is a URL; each attachment is `{"name", "url"}` (plus `size` and `mime` for our own
files). Only two kinds of URL are kept: our own file URLs (`/files/<sha256>`, which must name a file of
the item's org — so nothing skips the upload checks) and plain http/https links. Everything else
(`javascript:`, `file:`, `data:` without a file store to put it in, …) is refused with a 422.

When a file store is at hand (`FileContext` in `session.info["files"]`, set by the web app's session
dependency, so for every web and API request), data: URIs sent in the body, the cover or an attachment
are checked like uploads and replaced by file URLs, so rows never hold file bytes. Without one (CLI,
demo seeding, tests of the store alone) data: URIs are kept as they are; consumers still read them.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, or_
from sqlmodel import Session, col, select

from content.errors import Invalid
from content.files.backends import FileBackend
from content.files.models import StoredFile
from content.files.store import (
    DEFAULT_ATTACHMENT_MAX_BYTES,
    DEFAULT_IMAGE_MAX_BYTES,
    FileRefused,
    check_attachment,
    check_image,
    clean_name,
    file_url,
    find_file,
    save_file,
    sha_of_url,
)
from content.urls import is_web_url

MAX_ATTACHMENTS = 10
URL_MAX = 2000
_DATA_URI = re.compile(r"^data:([\w/+.-]*)(;[\w=.-]+)*;base64,(.*)$", re.S)
_IMG_DATA_SRC = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["'])(data:[^"']*)\2""", re.IGNORECASE)


@dataclass(frozen=True)
class FileContext:
    """What saving needs to put files in the store: the backend and the upload limits."""

    backend: FileBackend
    image_max_bytes: int = DEFAULT_IMAGE_MAX_BYTES
    attachment_max_bytes: int = DEFAULT_ATTACHMENT_MAX_BYTES


def context_of(session: Session) -> FileContext | None:
    ctx = session.info.get("files")
    return ctx if isinstance(ctx, FileContext) else None


def _data_bytes(uri: str, field: str) -> bytes:
    match = _DATA_URI.match(uri)
    if not match:
        raise Invalid("invalid_data_uri", "文件数据格式错误（须为 base64 编码的 data: URI）", field=field)
    try:
        return base64.b64decode(match.group(3), validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("invalid_data_uri", "文件数据不是有效的 base64 编码", field=field) from None


def _absorb(session: Session, org_id: int, actor_id: int | None, uri: str, *, field: str, name: str,
            image: bool) -> StoredFile:
    ctx = context_of(session)
    if ctx is None:
        raise Invalid("data_uri_not_allowed", "请先上传文件，再引用返回的文件地址", field=field)
    data = _data_bytes(uri, field)
    try:
        mime = check_image(data, ctx.image_max_bytes) if image else check_attachment(name, data, ctx.attachment_max_bytes)
    except FileRefused as exc:
        raise Invalid(exc.code, exc.message, field=field) from None
    return save_file(session, ctx.backend, org_id=org_id, data=data, name=name, mime=mime, created_by=actor_id)


def _own_file(session: Session, org_id: int, url: str, field: str, *, image: bool) -> StoredFile | None:
    sha = sha_of_url(url)
    if sha is None:
        return None
    row = find_file(session, org_id=org_id, sha256=sha)
    if row is None:
        raise Invalid("file_not_found", "引用的文件不存在，请重新上传", field=field)
    if image and not row.mime_type.startswith("image/"):
        raise Invalid("image_type", "封面图只能是 jpg 或 png 格式的图片", field=field)
    return row


def normalize_cover(session: Session, org_id: int, actor_id: int | None, value: Any) -> str | None:
    """A stored image's URL, an http/https URL, or None; data: URIs are stored first. Else `Invalid`."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 15_000_000:
        raise Invalid("invalid_cover", "封面图格式错误", field="cover_image")
    value = value.strip()
    if value.lower().startswith("data:"):
        if context_of(session) is None:  # no store at hand (CLI, demo seeding): kept; 0012 / the next save moves it
            return value
        return file_url(_absorb(session, org_id, actor_id, value, field="cover_image", name="cover",
                                image=True).sha256)
    row = _own_file(session, org_id, value, "cover_image", image=True)
    if row is not None:
        return file_url(row.sha256)
    if len(value) <= URL_MAX and is_web_url(value):
        return value
    raise Invalid("invalid_cover_url", "封面图只能是已上传的图片或 http/https 地址", field="cover_image")


def normalize_attachments(session: Session, org_id: int, actor_id: int | None, value: Any) -> list[dict]:
    """Each attachment as `{name, url[, size, mime]}`; our files looked up, links http/https only."""
    if not isinstance(value, list):
        raise Invalid("invalid_attachments", "附件格式错误", field="attachments")
    if len(value) > MAX_ATTACHMENTS:
        raise Invalid("too_many_attachments", f"每篇稿件最多 {MAX_ATTACHMENTS} 个附件", field="attachments")
    out: list[dict[str, Any]] = []
    for n, entry in enumerate(value, start=1):
        if not isinstance(entry, dict):
            raise Invalid("invalid_attachments", f"第 {n} 个附件格式错误：须为 {{name, url}}", field="attachments")
        url = entry.get("url") or entry.get("data") or ""
        if not isinstance(url, str) or not url.strip():
            raise Invalid("attachment_url_required", f"第 {n} 个附件缺少文件地址（url）", field="attachments")
        url = url.strip()
        name = clean_name(entry.get("name") if isinstance(entry.get("name"), str) else "", f"附件{n}")
        row = None
        if url.lower().startswith("data:") and context_of(session) is None:
            out.append({"name": name, "data": url})  # no store at hand: kept as it was (see normalize_cover)
            continue
        if url.lower().startswith("data:"):
            row = _absorb(session, org_id, actor_id, url, field="attachments", name=name, image=False)
        else:
            row = _own_file(session, org_id, url, "attachments", image=False)
        if row is not None:
            out.append({"name": name, "url": file_url(row.sha256), "size": row.size, "mime": row.mime_type})
        elif len(url) <= URL_MAX and is_web_url(url):
            out.append({"name": name, "url": url})
        else:
            raise Invalid("invalid_attachment_url",
                          f"第 {n} 个附件的地址无效：只能是已上传的文件或 http/https 地址", field="attachments")
    return out


def absorb_body_images(session: Session, org_id: int, actor_id: int | None, html: str) -> str:
    """Body `<img src="data:…">` replaced by stored files' URLs when a file store is at hand."""
    if context_of(session) is None or "data:" not in html:
        return html

    def swap(m: re.Match) -> str:
        row = _absorb(session, org_id, actor_id, m.group(3), field="body_html", name="image", image=True)
        return f"{m.group(1)}{m.group(2)}{file_url(row.sha256)}{m.group(2)}"

    return _IMG_DATA_SRC.sub(swap, html)


def files_of(content: dict[str, Any]) -> set[str]:
    """The hashes of our files an item's content references (body, cover, attachments)."""
    found = set(re.findall(r"/files/([0-9a-f]{64})", content.get("body_html") or ""))
    for url in [content.get("cover_image")] + [a.get("url") for a in content.get("attachments") or []
                                                 if isinstance(a, dict)]:
        sha = sha_of_url(url) if isinstance(url, str) else None
        if sha:
            found.add(sha)
    return found


def published_orgs_of(session: Session, sha256: str) -> set[int]:
    """The orgs where the public may read the file: a published item references it, or a revision that is
    being sent or was sent to a channel does (a portal may fetch the images while it takes our post)."""
    from content.models import Item, ItemState, Publication, PublicationState, Revision

    needle = f"%/files/{sha256}%"
    live = select(Item.org_id).where(
        Item.state == ItemState.published,
        or_(col(Item.body_html).like(needle), col(Item.cover_image).like(needle),
            cast(Item.attachments, String).like(needle)))
    going_out = (select(col(Revision.org_id)).join(Publication, col(Publication.revision_id) == col(Revision.id))
                 .where(col(Publication.state).in_((PublicationState.claimed, PublicationState.sent,
                                               PublicationState.confirmed, PublicationState.unknown)),
                        cast(Revision.content, String).like(needle)))
    return set(session.exec(live).all()) | set(session.exec(going_out).all())


def normalize_media(session: Session, org_id: int, out: dict[str, Any], actor_id: int | None = None) -> None:
    """Apply the rules above to the cover, attachments and body images of an item's input, in place."""
    if "cover_image" in out:
        out["cover_image"] = normalize_cover(session, org_id, actor_id, out["cover_image"])
    if "attachments" in out:
        out["attachments"] = normalize_attachments(session, org_id, actor_id, out["attachments"] or [])
    if out.get("body_html"):
        out["body_html"] = absorb_body_images(session, org_id, actor_id, out["body_html"])
