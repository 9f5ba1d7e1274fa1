"""Our file URLs as the world outside sees them: `/files/<sha256>` made absolute under the public URL.

A revision names its files by relative URLs (`/files/<sha256>`), so its content — and its
`content_hash`, which approvals and the publish-time check compare — does not depend on the host the
installation is reached by. Whatever leaves gongkai (the portal's post, a WeCom card's picture, a
feed entry) is *derived* from the approved revision by the pure functions below: the same revision and
the same public URL always give the same payload, only our own file URLs are touched, and the hash in
each URL still names the exact bytes (the store verifies them on every read). So the publish-time check
of the revision keeps meaning "byte-for-byte what was approved".
"""

from __future__ import annotations

import re
from typing import Any

# src="/files/<sha>", href='/files/<sha>?name=…' (quoted attribute values only: the sanitizer quotes them)
_ATTR_FILE = re.compile(r"""(\b(?:src|href)\s*=\s*)(["'])(/files/[0-9a-f]{64}(?:[?#][^"']*)?)\2""", re.IGNORECASE)
_OWN = re.compile(r"^/files/[0-9a-f]{64}(?:[?#].*)?$")


def absolute_url(url: Any, public_url: str) -> Any:
    """`<public_url>/files/<sha>` for one of our relative file URLs; anything else unchanged."""
    base = (public_url or "").rstrip("/")
    if base and isinstance(url, str) and _OWN.match(url):
        return base + url
    return url


def absolute_html(html: str, public_url: str) -> str:
    """Body HTML whose `src`/`href` attributes naming our files are absolute."""
    base = (public_url or "").rstrip("/")
    if not base or not html or "/files/" not in html:
        return html or ""
    return _ATTR_FILE.sub(lambda m: f"{m.group(1)}{m.group(2)}{base}{m.group(3)}{m.group(2)}", html)


def outbound_content(content: dict[str, Any], public_url: str) -> dict[str, Any]:
    """A copy of a revision's content with our file URLs absolute (body, cover, attachments).

    The input is never modified: it is the approved snapshot."""
    out = dict(content)
    if out.get("body_html"):
        out["body_html"] = absolute_html(out["body_html"], public_url)
    if out.get("cover_image"):
        out["cover_image"] = absolute_url(out["cover_image"], public_url)
    if isinstance(out.get("attachments"), list):
        out["attachments"] = [
            {**a, "url": absolute_url(a.get("url"), public_url)} if isinstance(a, dict) and a.get("url") else a
            for a in out["attachments"]
        ]
    return out
