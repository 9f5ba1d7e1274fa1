"""Login throttling by client address, by login+address, and a distributed-attack account lock.

What an attacker can do from one address: 5 wrong passwords for one login lock that login *for
that address only* for 15 minutes, and 30 wrong logins of any names lock the address for 15
minutes. The real user at their own address is not affected, so nobody can lock out a leader
from one machine. The account itself is locked for everyone only when wrong passwords for it
came from ACCOUNT_LOCK_ADDRESSES different addresses within an hour (a distributed guess);
an admin can unlock it at once (`gongkai user unlock`, the 用户管理 page).

Unknown logins and wrong passwords are recorded and answered alike (the rows do not say whether
the login exists), so the answers never tell whether an account exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from content.errors import DomainError
from content.models.auth import LoginFailure
from content.timeutil import utcnow

PAIR_LIMIT = 5  # wrong passwords for one login from one address ...
ADDRESS_LIMIT = 30  # ... or for any logins from one address ...
LOCK = timedelta(minutes=15)  # ... within this window lock for this long
ACCOUNT_LOCK_ADDRESSES = 10  # distinct addresses failing one login ...
ACCOUNT_WINDOW = timedelta(hours=1)  # ... within this window lock the login everywhere
KEEP = timedelta(hours=2)  # failures older than this are deleted
LOCK_MINUTES = int(LOCK.total_seconds() // 60)


class Throttled(DomainError):
    status = 429


@dataclass(frozen=True)
class Failure:
    remaining: int  # wrong passwords left before this login is locked at this address (0: locked now)


def norm(login: str) -> str:
    return login.strip().lower()[:64]


def _minutes(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))


def _streak_lock(times: list[datetime], limit: int, now: datetime) -> datetime | None:
    """Locked until when, if the `limit` newest failures fall within LOCK and the newest is < LOCK old."""
    if len(times) < limit:
        return None
    newest, oldest = times[0], times[limit - 1]
    if newest - oldest <= LOCK and now < newest + LOCK:
        return newest + LOCK
    return None


def _recent(session: Session, *, login: str | None, address: str, limit: int) -> list[datetime]:
    query = select(LoginFailure.created_at).where(LoginFailure.address == address)
    if login is not None:
        query = query.where(LoginFailure.login == login)
    return list(session.exec(query.order_by(col(LoginFailure.created_at).desc()).limit(limit)).all())


def _account_lock(session: Session, *, login: str, now: datetime) -> datetime | None:
    since = now - ACCOUNT_WINDOW
    rows = session.exec(
        select(LoginFailure.address, func.min(LoginFailure.created_at))
        .where(LoginFailure.login == login, LoginFailure.created_at > since)
        .group_by(LoginFailure.address)
    ).all()
    if len(rows) < ACCOUNT_LOCK_ADDRESSES:
        return None
    firsts = sorted(first for _, first in rows)
    # The lock lasts until enough addresses age out of the window.
    return firsts[len(firsts) - ACCOUNT_LOCK_ADDRESSES] + ACCOUNT_WINDOW


def check(session: Session, *, login: str, address: str) -> None:
    """Raise Throttled when this login from this address may not try now (before any password check)."""
    login, now = norm(login), utcnow()
    until = _streak_lock(_recent(session, login=login, address=address, limit=PAIR_LIMIT), PAIR_LIMIT, now)
    if until is not None:
        raise Throttled("account_locked",
                        f"密码错误次数过多，账号已锁定，请 {_minutes(until, now)} 分钟后再试（或请政务公开专员解锁）")
    until = _streak_lock(_recent(session, login=None, address=address, limit=ADDRESS_LIMIT), ADDRESS_LIMIT, now)
    if until is not None:
        raise Throttled("too_many_attempts",
                        f"本机登录失败次数过多，请 {_minutes(until, now)} 分钟后再试")
    until = _account_lock(session, login=login, now=now)
    if until is not None:
        raise Throttled("account_locked",
                        f"该账号近期在多处登录失败，已临时锁定，请 {_minutes(until, now)} 分钟后再试（或请政务公开专员解锁）")


def record_failure(session: Session, *, login: str, address: str) -> Failure:
    """Record one wrong login; the caller commits. Tells how many tries are left at this address."""
    login, now = norm(login), utcnow()
    session.exec(delete(LoginFailure).where(col(LoginFailure.created_at) < now - KEEP))
    session.add(LoginFailure(login=login, address=address, created_at=now))
    session.flush()
    times = _recent(session, login=login, address=address, limit=PAIR_LIMIT)
    if _streak_lock(times, PAIR_LIMIT, now) is not None:
        return Failure(remaining=0)
    in_window = [t for t in times if now - t <= LOCK]
    return Failure(remaining=PAIR_LIMIT - len(in_window))


def clear(session: Session, *, login: str, address: str | None = None) -> None:
    """Forget failures of a login (at one address after a good login; everywhere on an admin unlock)."""
    query = delete(LoginFailure).where(col(LoginFailure.login) == norm(login))
    if address is not None:
        query = query.where(col(LoginFailure.address) == address)
    session.exec(query)


def is_locked(session: Session, *, login: str) -> bool:
    """Whether the login is locked anywhere (for the admin's user list): any address streak or a distributed lock."""
    login, now = norm(login), utcnow()
    if _account_lock(session, login=login, now=now) is not None:
        return True
    addresses = session.exec(select(LoginFailure.address).where(
        LoginFailure.login == login, LoginFailure.created_at > now - LOCK).distinct()).all()
    return any(_streak_lock(_recent(session, login=login, address=a, limit=PAIR_LIMIT), PAIR_LIMIT, now)
               for a in addresses)
