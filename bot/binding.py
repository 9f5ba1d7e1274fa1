"""One-time binding codes: the web/API hands a code to a logged-in user, the chat redeems it.

Codes are 8 digits, valid 10 minutes, single use; only an HMAC (keyed by the secret key) is stored.
A new code replaces the user's unused ones. A sender gets at most MAX_FAILURES wrong codes an hour.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, delete, select

from bot.models import BindingCode, InboundMessage
from content import audit
from content.errors import Conflict, Invalid
from content.models import User
from content.timeutil import utcnow

CODE_TTL = timedelta(minutes=10)
MAX_FAILURES = 10
BAD_CODE = "绑定码无效或已过期，请在网页端重新获取。"
TOO_MANY = "绑定失败次数过多，请一小时后再试。"


def _hash(secret_key: str, code: str) -> str:
    return hmac.new(secret_key.encode(), code.encode(), hashlib.sha256).hexdigest()


def create_code(session: Session, *, user: User, secret_key: str) -> tuple[str, datetime]:
    """A fresh code for `user` (older unused codes are dropped). The caller commits."""
    session.exec(delete(BindingCode).where(BindingCode.user_id == user.id, col(BindingCode.used_at).is_(None)))
    code = f"{secrets.randbelow(10**8):08d}"
    expires_at = utcnow() + CODE_TTL
    session.add(BindingCode(org_id=user.org_id, user_id=user.id, code_hash=_hash(secret_key, code),
                            expires_at=expires_at))
    audit.record(session, org_id=user.org_id, action="bot.binding_code", target_type="user",
                 target_id=user.id, actor=user)
    return code, expires_at


def recent_failures(session: Session, *, channel: str, sender: str) -> int:
    since = utcnow() - timedelta(hours=1)
    return session.exec(
        select(func.count()).select_from(InboundMessage).where(
            InboundMessage.channel == channel, InboundMessage.sender == sender,
            InboundMessage.msg_type == "bind_failed", InboundMessage.created_at >= since)
    ).one()


def redeem(session: Session, *, code: str, channel: str, sender: str, secret_key: str) -> User:
    """Bind `sender` to the code's user. Single use is a compare-and-set on used_at."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 8:
        raise Invalid("bad_code", BAD_CODE)
    row = session.exec(select(BindingCode).where(BindingCode.code_hash == _hash(secret_key, code))).first()
    now = utcnow()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise Invalid("bad_code", BAD_CODE)
    won = session.exec(
        update(BindingCode).where(BindingCode.id == row.id, col(BindingCode.used_at).is_(None))
        .values(used_at=now, used_by_sender=sender)
    ).rowcount
    if won != 1:
        raise Invalid("bad_code", BAD_CODE)
    user = session.get(User, row.user_id)
    if user is None or not user.active:  # deactivated after the code was shown: no binding, no commands
        raise Invalid("account_inactive", "该账号已停用，不能绑定。请联系政务公开专员。")
    field = "wecom_userid" if channel == "wecom" else "mp_openid"
    holder = session.exec(select(User).where(getattr(User, field) == sender)).first()
    if holder is not None and holder.id != user.id:
        raise Conflict("sender_bound", f"此微信账号已绑定{holder.name}，请先发送“解绑”。")
    previous = getattr(user, field)
    setattr(user, field, sender)
    session.add(user)
    audit.record(session, org_id=user.org_id, action="bot.bind", target_type="user", target_id=user.id,
                 actor=user, channel=channel, replaced=bool(previous and previous != sender))
    return user


def unbind(session: Session, *, user: User, channel: str) -> None:
    field = "wecom_userid" if channel == "wecom" else "mp_openid"
    setattr(user, field, None)
    session.add(user)
    audit.record(session, org_id=user.org_id, action="bot.unbind", target_type="user", target_id=user.id,
                 actor=user, channel=channel)
