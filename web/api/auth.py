"""API token auth: `POST /api/v1/auth/token`, `POST /api/v1/auth/logout`, and `CurrentUserDep`.

A token is the key of a server-side session row (content.auth_sessions, kind "api"): logout
revokes it, and a password change, admin reset or deactivation revokes every token of the user.
Inactive users are refused on every request, not only at login. Logins are throttled by client
address and by login+address (content.login_throttle); unknown logins and wrong passwords get
the same answer after the same work (a dummy argon2 verification).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlmodel import Session, select

from content import accounts, audit, auth_sessions, login_throttle
from content.errors import DomainError, Forbidden
from content.models import User
from web.deps import SessionDep

TOKEN_TTL_SECONDS = int(auth_sessions.SESSION_TTL.total_seconds())
WARN_FROM = 3  # say how many tries are left once this many or fewer remain

# A valid argon2 hash of a random string: verifying against it for unknown logins gives "no such
# user" the same work, and so the same response time, as "wrong password".
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
    must_change_password: bool = False


def client_address(request: Request) -> str:
    """The client's address as uvicorn saw it (X-Forwarded-For is honoured only from trusted proxies)."""
    return (request.client.host if request.client else "") or "unknown"


def issue_token(session: Session, user: User, *, address: str = "", reason: str = "login") -> str:
    """A new API token for `user`, audited as `auth.token` in the caller's transaction (the caller commits).

    The audit names who, from where and why (login, password_change), never the token.
    """
    token = auth_sessions.open_session(session, user=user, kind=auth_sessions.API)
    audit.record(session, org_id=user.org_id, action="auth.token", target_type="user", target_id=user.id,
                 actor=user, channel="api", reason=reason, address=address or "unknown",
                 expires_in=TOKEN_TTL_SECONDS)
    return token


def user_from_token(session: Session, token: str) -> User:
    """The active user a token names, or Unauthorized."""
    user, why = auth_sessions.user_for_key(session, token, kind=auth_sessions.API)
    if why == "expired":
        raise Unauthorized("token_expired", "访问令牌已过期，请重新获取")
    if why == "inactive":
        raise Unauthorized("account_inactive", "账号已停用，请联系政务公开专员")
    if user is None:
        raise Unauthorized("token_invalid", "访问令牌无效或已注销，请重新获取")
    return user


def _wrong(failure: login_throttle.Failure) -> DomainError:
    if failure.remaining <= 0:
        return login_throttle.Throttled(
            "account_locked", f"登录名或密码错误。错误次数过多，账号已锁定 {login_throttle.LOCK_MINUTES} 分钟"
                              "（或请政务公开专员解锁）")
    if failure.remaining <= WARN_FROM:
        return Unauthorized("invalid_credentials", f"登录名或密码错误。再输错 {failure.remaining} 次，"
                                                   f"账号将被锁定 {login_throttle.LOCK_MINUTES} 分钟")
    return Unauthorized("invalid_credentials", "登录名或密码错误")


def authenticate(session: Session, *, login: str, password: str, address: str = "unknown") -> User:
    """Check a login and password from a client address, with throttling.

    Commits the failure record itself (the caller's transaction would otherwise roll it back
    together with the error).
    """
    login = login.strip()
    login_throttle.check(session, login=login, address=address)
    user = session.exec(select(User).where(User.login == login)).first()
    ok = accounts.verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not ok:
        failure = login_throttle.record_failure(session, login=login, address=address)
        if user is not None and failure.remaining <= 0:
            audit.record(session, org_id=user.org_id, action="auth.locked", target_type="user", target_id=user.id,
                         actor_label="system", minutes=login_throttle.LOCK_MINUTES, address=address)
        session.commit()
        raise _wrong(failure)
    if not user.active:
        raise Forbidden("account_inactive", "账号已停用，请联系政务公开专员")
    login_throttle.clear(session, login=login, address=address)
    session.commit()
    return user


@router.post("/token", response_model=TokenResponse, summary="用登录名和密码换取访问令牌")
def create_token(body: TokenRequest, session: SessionDep, request: Request) -> TokenResponse:
    user = authenticate(session, login=body.login, password=body.password, address=client_address(request))
    token = issue_token(session, user, address=client_address(request))
    session.commit()
    return TokenResponse(token=token, must_change_password=user.must_change_password)


def _credentials(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("unauthorized", "请先登录：请求头需要 Authorization: Bearer 访问令牌")
    return credentials.credentials


def token_user(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user named by the bearer token, even one who must still change a reset password."""
    return user_from_token(session, _credentials(credentials))


TokenUserDep = Annotated[User, Depends(token_user)]


def current_user(user: TokenUserDep) -> User:
    """The user named by `Authorization: Bearer TOKEN`; 401 with a Chinese message otherwise."""
    if user.must_change_password:
        raise Forbidden("password_change_required",
                        "管理员已重置您的密码，请先修改密码（POST /api/v1/me/password 或网页“账号”页）")
    return user


CurrentUserDep = Annotated[User, Depends(current_user)]


@router.post("/logout", status_code=204, summary="注销当前访问令牌")
def logout(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    user = user_from_token(session, _credentials(credentials))
    auth_sessions.revoke_key(session, _credentials(credentials))
    audit.record(session, org_id=user.org_id, action="auth.logout", target_type="user", target_id=user.id,
                 actor=user, channel="api")
    session.commit()


def admin_user(user: CurrentUserDep, session: SessionDep) -> User:
    if "admin" not in accounts.roles_of(session, user.id):
        raise Forbidden("admin_required", "只有政务公开专员（管理员）可以执行此操作")
    return user


AdminDep = Annotated[User, Depends(admin_user)]
