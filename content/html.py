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
    "table": {"border", "cellpadding", "cellspacing", "width", "style", "class", "align"},
    "td": {"colspan", "rowspan", "style", "align", "valign"},
    "th": {"colspan", "rowspan", "style", "align", "valign"},
    "font": {"color", "size", "face"},
}
# Word paste keeps these; anything else (positioning, behaviour, expressions) is dropped.
SAFE_STYLE_PROPERTIES = {
    "color", "background-color", "font-size", "font-family", "font-weight", "font-style",
    "text-decoration", "text-align", "text-indent", "line-height", "margin", "margin-left",
    "margin-right", "margin-top", "margin-bottom", "padding", "border", "border-collapse",
    "border-top", "border-right", "border-bottom", "border-left", "border-width", "border-style",
    "border-color", "width", "height", "vertical-align",
}  # fmt: skip
# A declaration's value: words, numbers, colours, rgb(); never url(), expression(), var(), escapes.
_SAFE_STYLE_VALUE = re.compile(r"^(?:[\w\s#%.,'\"+\-/!]|\u3000|[\u4e00-\u9fff]|rgba?\([\d\s.,%]*\))*$")
_BORDER_DEFAULT = "border:1px solid #000"
URL_SCHEMES = {"http", "https", "mailto", "tel", "data", "file"}  # file:// is kept so the check can flag it


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    """Values nh3 cannot check by name: style declarations and the table border width."""
    if name == "style":
        kept = []
        for declaration in value.split(";"):
            prop, _, val = declaration.partition(":")
            prop, val = prop.strip().lower(), val.strip()
            if prop in SAFE_STYLE_PROPERTIES and val and _SAFE_STYLE_VALUE.match(val):
                kept.append(f"{prop}:{val}")
        return ";".join(kept) or None
    if tag == "table" and name in ("border", "cellpadding", "cellspacing"):
        return value if value.strip().isdigit() and len(value.strip()) <= 2 else None
    return value


def sanitize(body_html: str) -> str:
    """No script, no event handlers, no javascript: URLs; Word formatting survives, tables keep borders."""
    cleaned = nh3.clean(
        body_html or "",
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=URL_SCHEMES,
        filter_style_properties=SAFE_STYLE_PROPERTIES,
        link_rel="noopener noreferrer",
    )
    return _TABLE_TAG.sub(_bordered, cleaned) if "<table" in cleaned else cleaned


# nh3's output is well formed: every attribute value double-quoted, quotes inside escaped.
_TABLE_TAG = re.compile(r"<(table|td|th)\b([^>]*)>")
_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')


def _bordered(match: re.Match) -> str:
    """Word tables lose their borders on the way (wangEditor and mammoth keep no border styles):
    a cell without any border declaration gets a thin solid one, a table collapses its borders.
    Cells that say `border:none` (layout tables) keep saying so. Idempotent, like sanitize itself."""
    tag, attrs = match.group(1), match.group(2)
    style_match = _STYLE_ATTR.search(attrs)
    style = style_match.group(1) if style_match else ""
    if tag == "table":
        if "border-collapse" in style:
            return match.group(0)
        add = "border-collapse:collapse"
    else:
        if "border" in style:
            return match.group(0)
        add = _BORDER_DEFAULT
    style = f"{style};{add}" if style else add
    if style_match:
        attrs = attrs[:style_match.start()] + f' style="{style}"' + attrs[style_match.end():]
    else:
        attrs = f' style="{style}"' + attrs
    return f"<{tag}{attrs}>"


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
