"""access_token cache in the database, shared by every process (web workers and the scheduler).

Implements wechatpy's session-storage interface (get/set/delete) over `bot_access_token`, and keeps
the expiry so clients refresh before it (REFRESH_MARGIN) instead of waiting for a 42001. Each storage
also remembers the last token it read or wrote, so a long-lived client does not read the database
before every call; a token the platform refuses is forgotten (`forget`) and read again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, delete, select

from bot.models import AccessToken
from content.timeutil import utcnow

REFRESH_MARGIN = timedelta(minutes=5)


class DbTokenStorage:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._memo: dict[str, tuple[str, datetime]] = {}

    def row(self, key: str) -> tuple[str, datetime] | None:
        with Session(self.engine) as s:
            row = s.exec(select(AccessToken).where(AccessToken.key == key)).first()
            return (row.token, row.expires_at) if row else None

    def fresh(self, key: str) -> str | None:
        """The cached token if it is valid for longer than the refresh margin."""
        for source in (self._memo.get, self.row):
            row = source(key)
            if row and row[1] - utcnow() > REFRESH_MARGIN:
                self._memo[key] = row
                return row[0]
        return None

    def forget(self, key: str) -> None:
        """Drop the remembered token (the platform refused it): the next read asks the database."""
        self._memo.pop(key, None)

    # wechatpy SessionStorage interface ---------------------------------------------------------
    def get(self, key: str, default=None):
        row = self.row(key)
        return row[0] if row and row[1] > utcnow() else default

    def set(self, key: str, value: str, ttl: int | None = None) -> None:
        expires_at = utcnow() + timedelta(seconds=int(ttl or 7200))
        self._memo[key] = (value, expires_at)
        with Session(self.engine) as s:
            row = s.get(AccessToken, key)
            if row is None:
                s.add(AccessToken(key=key, token=value, expires_at=expires_at))
            else:
                row.token, row.expires_at, row.updated_at = value, expires_at, utcnow()
                s.add(row)
            try:
                s.commit()
            except Exception:  # noqa: BLE001 - a concurrent insert of the same key: last writer loses, fine
                s.rollback()
                s.merge(AccessToken(key=key, token=value, expires_at=expires_at))
                s.commit()

    def delete(self, key: str) -> None:
        self.forget(key)
        with Session(self.engine) as s:
            s.exec(delete(AccessToken).where(AccessToken.key == key))
            s.commit()
