"""Body images of a printed notice, read from the file store — never over HTTP.

A notice's PDF is made by WeasyPrint with a fetcher that loads only `data:` URLs. Images that are our
stored files (`/files/<sha256>`) are inlined as `data:` URIs of their bytes, read from the store and
verified against the hash (a missing or altered file stops the notice with `FileUnreadable`, as it
stops every other channel); any other image (an outside link) is dropped.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

from content.files.store import image_type, sha_of_url

ImageReader = Callable[[str], bytes]  # sha256 → verified bytes of the item's org's file
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SRC = re.compile(r"""\bsrc\s*=\s*(["'])([^"']*)\1""", re.IGNORECASE)


def inline_stored_images(html: str, read: ImageReader | None) -> str:
    """`<img>` tags naming our jpg/png files get their bytes as data: URIs; all other images go."""

    def swap(m: re.Match) -> str:
        src = _SRC.search(m.group(0))
        sha = sha_of_url(src.group(2)) if src and read is not None else None
        if sha is None:
            return ""
        data = read(sha)
        mime = image_type(data)
        if mime is None:
            return ""
        uri = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        return m.group(0)[:src.start(2)] + uri + m.group(0)[src.end(2):]

    return _IMG.sub(swap, html or "")


def has_image(html: str) -> bool:
    return bool(_IMG.search(html or ""))


def store_reader(session, backend, *, org_id: int) -> ImageReader:
    """The reader for one org's files (verified bytes) on an open session."""
    from content.files.store import read_file

    return lambda sha256: read_file(session, backend, org_id=org_id, sha256=sha256)[1]
