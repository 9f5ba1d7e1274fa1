"""Tolerant parsing of chat commands: full-width digits and spaces, `#12`, `第12号`, aliases, no space."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from content.text_clean import clean_text

_NUMBER = re.compile(r"^(?:#|No\.?|第)?\s*(\d{1,9})\s*(?:号)?(?=\s|$|[,，:：、])", re.IGNORECASE)


@dataclass(frozen=True)
class Command:
    name: str  # canonical command name, e.g. "同意"
    number: int | None  # the item number or year, when one was given
    rest: str  # the text after the number (comment / reason / code)
    raw: str
    digits: str = ""  # the number exactly as typed (keeps leading zeros: binding codes)


def normalize(text: str) -> str:
    """NFKC turns full-width digits, letters, '＃' and the ideographic space into ASCII; collapse spaces."""
    text = clean_text(unicodedata.normalize("NFKC", text or ""))  # no control characters into reasons
    return re.sub(r"\s+", " ", text).strip()


def parse(text: str, aliases: dict[str, str]) -> Command | None:
    """Match the longest alias at the start (so 不同意 is not 同意), then an optional number."""
    norm = normalize(text)
    lowered = norm.lower()
    for alias in sorted(aliases, key=len, reverse=True):
        if lowered.startswith(alias.lower()):
            tail = norm[len(alias):].lstrip(" ,，:：")
            break
    else:
        return None
    number, digits = None, ""
    match = _NUMBER.match(tail)
    if match:
        digits = match.group(1)
        number = int(digits)
        tail = tail[match.end():]
    rest = tail.strip().lstrip(",，:：、").strip()
    return Command(name=aliases[alias], number=number, rest=rest, raw=norm, digits=digits)
