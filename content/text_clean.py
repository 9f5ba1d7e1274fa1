"""Clean text at every input, and make any stored text safe for XML-based outputs.

Word pastes vertical tabs (\\x0b) and other control characters into titles; XML 1.0 (Atom/RSS feeds,
DOCX, XLSX) cannot hold them at all, and a lone UTF-16 surrogate (possible in JSON "\\ud800") cannot
even be encoded as UTF-8. Inputs are cleaned by `clean_text` (store create/update, API schemas,
importer, registers, the bot); outputs built from rows written before this rule pass the text through
`xml_text`, so every output builds from any stored text.
"""

from __future__ import annotations

import re
from typing import Any

from content.urls import clean_source_url

# Characters XML 1.0 forbids (all C0 controls but tab, LF, CR), DEL, surrogates and the two non-characters.
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_BREAKS = re.compile("[\x0b\x0c\u2028\u2029]")  # line breaks in disguise: Word's vertical tab, form feed
_SINGLE_LINE = re.compile("[\t\r\n]+")


def clean_text(value: str, *, single_line: bool = False) -> str:
    """`value` without control characters; VT/FF become a line break (a space when `single_line`)."""
    text = _BREAKS.sub(" " if single_line else "\n", value)
    text = _BAD.sub("", text)
    return _SINGLE_LINE.sub(" ", text) if single_line else text


def clean_value(value: Any, *, single_line: bool = False) -> Any:
    """`clean_text` for strings, applied through lists and dict values; other values unchanged."""
    if isinstance(value, str):
        return clean_text(value, single_line=single_line)
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    if isinstance(value, dict):
        return {k: clean_value(v) for k, v in value.items()}
    return value


def xml_text(value: Any) -> str:
    """Any stored value as text an XML document can hold (for feeds, DOCX, XLSX, PDF)."""
    if value is None:
        return ""
    return _BAD.sub("", _BREAKS.sub(" ", str(value)))


def has_bad_chars(value: str) -> bool:
    return bool(_BAD.search(value))


SINGLE_LINE_FIELDS = ("title", "author")


def clean_item_input(data: dict[str, Any]) -> dict[str, Any]:
    """An item's input fields cleaned: text without control characters, the source link checked.

    The one call the store makes before validating, so the web form, the API, the importer and the
    bot all store the same clean text.
    """
    out = dict(data)
    for key in SINGLE_LINE_FIELDS:
        if isinstance(out.get(key), str):
            out[key] = clean_text(out[key], single_line=True)
    for key in ("digest", "body_html"):
        if isinstance(out.get(key), str):
            out[key] = clean_text(out[key])
    if "source_url" in out:
        out["source_url"] = clean_source_url(out["source_url"])
    if isinstance(out.get("attachments"), list):
        out["attachments"] = [clean_value(a) if isinstance(a, dict) else a for a in out["attachments"]]
    return out


def xml_safe(value: Any) -> Any:
    """`xml_text` applied to every string inside dicts and lists (a report, a feed entry)."""
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, list):
        return [xml_safe(v) for v in value]
    if isinstance(value, tuple):
        return tuple(xml_safe(v) for v in value)
    if isinstance(value, dict):
        return {k: xml_safe(v) for k, v in value.items()}
    return value
