"""Times are stored in UTC and shown in Asia/Shanghai; years and days are Shanghai ones."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Attach UTC to naive values read back from SQLite; convert aware ones."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def local(value: datetime) -> datetime:
    return as_utc(value).astimezone(SHANGHAI)


def local_today() -> date:
    return datetime.now(SHANGHAI).date()


def year_bounds_utc(year: int) -> tuple[datetime, datetime]:
    """[start, end) of a Shanghai calendar year, in UTC."""
    start = datetime(year, 1, 1, tzinfo=SHANGHAI).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=SHANGHAI).astimezone(UTC)
    return start, end


def fmt_local(value: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return local(value).strftime(pattern) if value else ""
