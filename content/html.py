"""Body HTML: sanitizing (nh3) and plain-text extraction."""

from __future__ import annotations

import html as html_lib
import re

import nh3

ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) | {"img", "figure", "figcaption", "span", "section", "u", "s", "font"}
ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"style", "class", "align"},
    "img": {"src", "alt", "title", "width", "height"},
    "a": {"href", "title", "target"},
    "td": {"colspan", "rowspan", "style", "align", "valign"},
    "th": {"colspan", "rowspan", "style", "align", "valign"},
    "font": {"color", "size", "face"},
}
# Word paste keeps these; anything else (positioning, behaviour, expressions) is dropped.
SAFE_STYLE_PROPERTIES = {
    "color", "background-color", "font-size", "font-family", "font-weight", "font-style",
    "text-decoration", "text-align", "text-indent", "line-height", "margin", "margin-left",
    "margin-right", "margin-top", "margin-bottom", "padding", "border", "border-collapse",
    "width", "height", "vertical-align",
}  # fmt: skip
URL_SCHEMES = {"http", "https", "mailto", "tel", "data", "file"}  # file:// is kept so the check can flag it


def sanitize(body_html: str) -> str:
    """No script, no event handlers, no javascript: URLs; Word formatting survives."""
    return nh3.clean(
        body_html or "",
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        filter_style_properties=SAFE_STYLE_PROPERTIES,
        link_rel="noopener noreferrer",
    )


_TAG = re.compile(r"<[^>]+>")
_BLOCK = re.compile(r"</?(p|div|br|li|tr|h[1-6]|section|figure)\b[^>]*>", re.I)


def text_of(body_html: str) -> str:
    """Readable plain text of a body (paragraph breaks kept)."""
    text = _BLOCK.sub("\n", body_html or "")
    text = html_lib.unescape(_TAG.sub("", text))
    return re.sub(r"\n\s*\n+", "\n", text).strip()


_URL_ATTR = re.compile(r"""\b(href|src)\s*=\s*["']([^"']*)["']""", re.I)
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ALT = re.compile(r"""\balt\s*=\s*["']([^"']*)["']""", re.I)


def urls_of(body_html: str) -> list[tuple[str, str]]:
    return [(m.group(1).lower(), m.group(2)) for m in _URL_ATTR.finditer(body_html or "")]


def images_of(body_html: str) -> list[dict]:
    out = []
    for tag in _IMG.findall(body_html or ""):
        src = _URL_ATTR.search(tag)
        alt = _ALT.search(tag)
        out.append({"src": src.group(2) if src else "", "alt": alt.group(1).strip() if alt else ""})
    return out
