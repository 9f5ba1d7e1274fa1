"""API token auth: `POST /api/v1/auth/token`, and the `CurrentUserDep` every API router uses.

Tokens are signed and expiring (itsdangerous with `settings.secret_key`), so no token table is
needed. Each token embeds a fingerprint of the user's password hash: changing the password revokes
every token issued before. Inactive users are refused on every request, not only at login.
Repeated wrong passwords lock the account for a while (`User.failed_logins`, `User.locked_until`).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from pydantic import BaseModel, Field
from sqlalchemy import update
from sqlmodel import Session, select

from content import accounts, audit
from content.deps import SessionDep
from content.errors import DomainError, Forbidden
from content.models import User
from content.timeutil import as_utc, utcnow

TOKEN_SALT = "gongkai.api-token"
TOKEN_TTL_SECONDS = 12 * 3600
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)

# A valid argon2 hash of a random string: verifying against it for unknown logins keeps the
# response time of "no such user" close to that of "wrong password".
_DUMMY_HASH = accounts.hash_password("gongkai-no-such-user")

router = APIRouter(prefix="/auth", tags=["auth"])
_bearer = HTTPBearer(auto_error=False, description="POST /api/v1/auth/token 取得的访问令牌")


class Unauthorized(DomainError):
    status = 401


class TokenRequest(BaseModel):
    login: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenResponse(BaseModel):
    token: str
    token_type: str = "bearer"
    expires_in: int = TOKEN_TTL_SECONDS


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _secret(request: Request) -> str:
    return request.app.state.settings.secret_key.get_secret_value()


def issue_token(secret_key: str, user: User) -> str:
    return _serializer(secret_key).dumps({"u": user.id, "p": _fingerprint(user)})


def user_from_token(session: Session, secret_key: str, token: str, *, max_age: int = TOKEN_TTL_SECONDS) -> User:
    """The active user a token names, or Unauthorized."""
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired:
        raise Unauthorized("token_expired", "访问令牌已过期，请重新获取") from None
    except BadSignature:
        raise Unauthorized("token_invalid", "访问令牌无效") from None
    user = session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or data.get("p") != _fingerprint(user):
        raise Unauthorized("token_invalid", "访问令牌无效") from None
    if not user.active:
        raise Unauthorized("account_inactive", "账号已停用，请联系政务公开专员")
    return user


def authenticate(session: Session, *, login: str, password: str) -> User:
    """Check a login and password, counting failures and locking the account after too many.

    Commits the failure counter itself (the caller's transaction would otherwise roll it back
    together with the error).
    """
    user = session.exec(select(User).where(User.login == login.strip())).first()
    if user is None:
        accounts.verify_password(_DUMMY_HASH, password)
        raise Unauthorized("invalid_credentials", "登录名或密码错误")
    now = utcnow()
    if user.locked_until is not None and as_utc(user.locked_until) > now:
        minutes = max(1, int((as_utc(user.locked_until) - now).total_seconds() // 60) + 1)
        raise DomainError("account_locked", f"密码错误次数过多，账号已锁定，请 {minutes} 分钟后再试", status=429)
    if not accounts.verify_password(user.password_hash, password):
        # Atomic increment: two wrong guesses at once both count.
        session.exec(update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1))
        session.refresh(user)
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
            session.add(user)
            audit.record(session, org_id=user.org_id, action="auth.locked", target_type="user",
                         target_id=user.id, actor_label="system", minutes=int(LOCKOUT.total_seconds() // 60))
        session.commit()
        raise Unauthorized("invalid_credentials", "登录名或密码错误")
    if not user.active:
        raise Forbidden("account_inactive", "账号已停用，请联系政务公开专员")
    if user.failed_logins or user.locked_until is not None:
        user.failed_logins = 0
        user.locked_until = None
        session.add(user)
        session.commit()
    return user


@router.post("/token", response_model=TokenResponse, summary="用登录名和密码换取访问令牌")
def create_token(body: TokenRequest, session: SessionDep, request: Request) -> TokenResponse:
    user = authenticate(session, login=body.login, password=body.password)
    return TokenResponse(token=issue_token(_secret(request), user))


def current_user(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user named by `Authorization: Bearer TOKEN`; 401 with a Chinese message otherwise."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("unauthorized", "请先登录：请求头需要 Authorization: Bearer 访问令牌")
    return user_from_token(session, _secret(request), credentials.credentials)


CurrentUserDep = Annotated[User, Depends(current_user)]


def admin_user(user: CurrentUserDep, session: SessionDep) -> User:
    if "admin" not in accounts.roles_of(session, user.id):
        raise Forbidden("admin_required", "只有政务公开专员（管理员）可以执行此操作")
    return user


AdminDep = Annotated[User, Depends(admin_user)]
