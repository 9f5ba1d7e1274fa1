"""Server-side sessions behind web cookies and API bearer tokens.

Why a table rather than signed self-contained tokens: logout must end *this* session, and a
password change, admin reset or deactivation must end *every* session and token of a user at
once. A row per session does both with one UPDATE, and its `expires_at` is compared with the
server's clock, so a backward clock step (NTP correction, VM restore) never logs anyone out —
a signed timestamp "from the future" would be refused. The per-request cost is one indexed
lookup joined to the user row, which the old code did anyway (it loaded the user).

The key handed to the browser or API client is 32 random bytes; only its SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, delete, select

from content.models import User
from content.models.auth import AuthSession
from content.models.ids import pk
from content.timeutil import utcnow

WEB = "web"
API = "api"
SESSION_TTL = timedelta(hours=12)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open_session(session: Session, *, user: User, kind: str, ttl: timedelta = SESSION_TTL) -> str:
    """A new session for `user`; returns the raw key (shown to the client once). The caller commits.

    Expired rows of the same user are dropped here, so the table stays small without a job.
    """
    now = utcnow()
    session.exec(delete(AuthSession).where(col(AuthSession.user_id) == user.id, col(AuthSession.expires_at) < now))
    key = secrets.token_urlsafe(32)
    session.add(AuthSession(key_hash=_digest(key), user_id=pk(user), org_id=user.org_id, kind=kind,
                            created_at=now, expires_at=now + ttl))
    session.flush()
    return key


def user_for_key(session: Session, key: str, *, kind: str) -> tuple[User | None, str]:
    """The user of a live session key and "" — or None and why not ("invalid", "expired", "inactive")."""
    if not key or len(key) > 200:
        return None, "invalid"
    row = session.exec(
        select(AuthSession, User).join(User, col(User.id) == col(AuthSession.user_id))
        .where(AuthSession.key_hash == _digest(key), AuthSession.kind == kind)
    ).first()
    if row is None:
        return None, "invalid"
    auth, user = row
    if auth.revoked_at is not None:
        return None, "invalid"
    if auth.expires_at <= utcnow():
        return None, "expired"
    if not user.active:
        return None, "inactive"
    return user, ""


def revoke_key(session: Session, key: str) -> None:
    """End one session (logout). Unknown keys are ignored. The caller commits."""
    session.exec(update(AuthSession).where(col(AuthSession.key_hash) == _digest(key),
                                           col(AuthSession.revoked_at).is_(None)).values(revoked_at=utcnow()))


def revoke_all(session: Session, *, user_id: int) -> int:
    """End every session and token of a user; returns how many were live. The caller commits."""
    result = session.exec(update(AuthSession).where(col(AuthSession.user_id) == user_id,
                                                    col(AuthSession.revoked_at).is_(None))
                          .values(revoked_at=utcnow()))
    return result.rowcount or 0


def live_sessions(session: Session, *, user_id: int) -> int:
    now = utcnow()
    rows = session.exec(select(AuthSession.id).where(AuthSession.user_id == user_id,
                                                     col(AuthSession.revoked_at).is_(None),
                                                     AuthSession.expires_at > now)).all()
    return len(rows)
