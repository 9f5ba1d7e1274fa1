"""The one rule for links kept from input: plain http/https, or our own stored files (`/files/<sha256>`).

Anything else (`javascript:`, `data:`, `file:`, `vbscript:`, protocol-relative `//host`, URLs with
spaces, quotes or control characters) is refused at input with a 422 and never emitted at output:
templates pass stored links through `safe_href` (the `safe_url` Jinja filter), which answers "#" for
whatever does not pass, so old rows written before this rule cannot run script either.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from content.errors import Invalid

URL_MAX = 2000
_OWN_FILE = re.compile(r"^/files/[0-9a-f]{64}(?:[?#][\w=&.%-]*)?$")
_FORBIDDEN_CHARS = set("\x00\r\n\t <>\"'`\\") | {chr(c) for c in range(0x20)} | {"\x7f"}


def is_web_url(url: str) -> bool:
    """An absolute http/https URL with a host and no characters that could break out of an attribute."""
    if not isinstance(url, str) or not url or len(url) > URL_MAX or any(c in _FORBIDDEN_CHARS for c in url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(host)


def is_own_file_url(url: str) -> bool:
    """A link to one of our stored files, relative to our own origin."""
    return isinstance(url, str) and bool(_OWN_FILE.match(url))


def is_safe_link(url: Any) -> bool:
    return isinstance(url, str) and (is_web_url(url) or is_own_file_url(url))


def check_link(value: Any, *, field: str, label: str) -> str | None:
    """The stripped link, None for empty; `Invalid` (422, code `invalid_url`) for anything else."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid("invalid_url", f"{label}格式错误", field=field)
    value = value.strip()
    if not value:
        return None
    if not is_safe_link(value):
        raise Invalid("invalid_url", f"{label}只能是以 http:// 或 https:// 开头的网址", field=field)
    return value


def clean_source_url(value: Any) -> str | None:
    """The 转载 source link of an item (API, web form, importer alike)."""
    return check_link(value, field="source_url", label="原文链接")


def safe_href(value: Any) -> str:
    """For output: the stored link when it passes the rule, else "#" (never a script URL from old data)."""
    return value.strip() if isinstance(value, str) and is_safe_link(value.strip()) else "#"
