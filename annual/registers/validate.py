"""Input coercion shared by the register stores: every mistake is an `Invalid` with a Chinese message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from annual.workdays import MAX_YEAR, MIN_YEAR
from content.errors import Invalid
from content.text_clean import clean_text


def as_date(value: Any, label: str, *, required: bool = False) -> date | None:
    if value in (None, ""):
        if required:
            raise Invalid("missing_field", f"缺少{label}")
        return None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value).strip().replace("/", "-"))
        except ValueError as exc:
            raise Invalid("bad_date", f"{label}不是有效日期：{value}（格式 YYYY-MM-DD）") from exc
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise Invalid("date_out_of_range", f"{label}超出合理范围（{MIN_YEAR}–{MAX_YEAR} 年）：{value}")
    return value


def as_int(value: Any, label: str, *, lo: int = 0, hi: int = 10**9) -> int:
    if value in (None, ""):
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise Invalid("bad_number", f"{label}必须是整数：{value}") from exc
    if isinstance(value, float) and value != number:
        raise Invalid("bad_number", f"{label}必须是整数：{value}")
    if not lo <= number <= hi:
        raise Invalid("number_out_of_range", f"{label}应在 {lo}–{hi} 之间：{number}")
    return number


def as_code(value: Any, mapping: dict[str, str], label: str, *, required: bool = True) -> str | None:
    if value in (None, ""):
        if required:
            raise Invalid("missing_field", f"缺少{label}")
        return None
    if value in mapping:
        return str(value)
    by_label = {v: k for k, v in mapping.items()}
    if value in by_label:  # accept the Chinese label too
        return by_label[value]
    raise Invalid("unknown_code", f"未知的{label}：{value}（可选：{'、'.join(mapping)}）")


def as_text(value: Any, label: str, max_len: int) -> str:
    text = "" if value is None else clean_text(str(value)).strip()
    if len(text) > max_len:
        raise Invalid("too_long", f"{label}超过 {max_len} 字")
    return text


def year_in_range(year: Any) -> int:
    return as_int(year, "年份", lo=MIN_YEAR, hi=MAX_YEAR)


def tag_field(key: str, convert: Callable[[Any], Any], value: Any) -> Any:
    """`convert(value)`; an `Invalid` it raises names the field (`exc.data["field"]`) for inline form errors."""
    try:
        return convert(value)
    except Invalid as exc:
        exc.data.setdefault("field", key)
        raise
