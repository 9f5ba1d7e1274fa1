"""`GET /api/v1/me`, `POST /api/v1/me/password`, and the admin's user endpoints (list, create, change roles,
reset a password, unlock, deactivate, reactivate)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select

from content import accounts, credentials, login_throttle
from content.errors import NotFound
from content.models import ROLE_LABELS, Department, Oversight, Role, User, UserRole
from web.api.auth import AdminDep, CurrentUserDep, TokenResponse, TokenUserDep, issue_token
from web.deps import SessionDep

router = APIRouter(tags=["users"])


class UserBase(BaseModel):
    login: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=100)


class UserCreate(UserBase):
    password: str = Field(min_length=8, max_length=256)
    roles: list[Role] = Field(min_length=1)
    department: str | None = Field(default=None, max_length=100, description="所属部门名称")
    oversees: list[str] = Field(default_factory=list, description="分管部门名称（分管领导）")


class RolesUpdate(BaseModel):
    roles: list[Role] = Field(min_length=1)
    oversees: list[str] | None = None


class PasswordChange(BaseModel):
    old_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class PasswordReset(BaseModel):
    password: str | None = Field(default=None, max_length=256, description="临时密码；不填则自动生成")


class ResetResult(BaseModel):
    login: str
    temporary_password: str = Field(description="只返回这一次；用户下次登录后必须修改")


class UserPublic(UserBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    active: bool
    department: str | None = None
    roles: list[str] = []
    role_labels: list[str] = []
    oversees: list[str] = []
    wecom_bound: bool = False
    mp_bound: bool = False
    locked: bool = False
    must_change_password: bool = False


def user_public(session: Session, user: User) -> UserPublic:
    roles = sorted(accounts.roles_of(session, user.id), key=lambda r: list(Role).index(Role(r)))
    dept = session.get(Department, user.department_id) if user.department_id else None
    oversees = session.exec(
        select(Department.name).join(Oversight, Oversight.department_id == Department.id)
        .where(Oversight.user_id == user.id).order_by(Department.name)
    ).all()
    return UserPublic(
        id=user.id, login=user.login, name=user.name, active=user.active,
        department=dept.name if dept else None, roles=roles,
        role_labels=[ROLE_LABELS[Role(r)] for r in roles], oversees=list(oversees),
        wecom_bound=bool(user.wecom_userid), mp_bound=bool(user.mp_openid),
        locked=login_throttle.is_locked(session, login=user.login), must_change_password=user.must_change_password,
    )  # fmt: skip


@router.get("/me", response_model=UserPublic, summary="当前用户")
def me(user: CurrentUserDep, session: SessionDep) -> UserPublic:
    return user_public(session, user)


@router.post("/me/password", response_model=TokenResponse, summary="修改本人密码（其他令牌和登录全部失效）")
def change_password(body: PasswordChange, user: TokenUserDep, session: SessionDep) -> TokenResponse:
    credentials.change_password(session, user=user, old_password=body.old_password, new_password=body.new_password)
    token = issue_token(session, user, reason="password_change")  # every earlier token ended with the change
    session.commit()
    return TokenResponse(token=token)


@router.get("/users", response_model=list[UserPublic], summary="用户列表（管理员）")
def list_users(admin: AdminDep, session: SessionDep, role: Role | None = None) -> list[UserPublic]:
    query = select(User).where(User.org_id == admin.org_id).order_by(User.id)
    if role is not None:
        query = query.join(UserRole, UserRole.user_id == User.id).where(UserRole.role == role.value)
    return [user_public(session, u) for u in session.exec(query).all()]


@router.post("/users", response_model=UserPublic, status_code=201, summary="新建用户（管理员）")
def create_user(body: UserCreate, admin: AdminDep, session: SessionDep) -> UserPublic:
    user = accounts.create_user(
        session, org_id=admin.org_id, login=body.login, name=body.name, password=body.password,
        roles=[r.value for r in body.roles], department=body.department, oversees=body.oversees or None,
        actor=admin,
    )  # fmt: skip
    session.commit()
    return user_public(session, user)


@router.get("/users/{user_id}", response_model=UserPublic, summary="用户详情（管理员）")
def get_user(user_id: int, admin: AdminDep, session: SessionDep) -> UserPublic:
    return user_public(session, _in_org(session, admin, user_id))


@router.put("/users/{user_id}/roles", response_model=UserPublic, summary="设置用户角色（管理员）")
def set_roles(user_id: int, body: RolesUpdate, admin: AdminDep, session: SessionDep) -> UserPublic:
    user = _in_org(session, admin, user_id)
    accounts.set_roles(session, user=user, roles=[r.value for r in body.roles], oversees=body.oversees,
                       actor=admin)
    session.commit()
    return user_public(session, user)


@router.post("/users/{user_id}/reset", response_model=ResetResult, summary="重置用户密码（管理员）")
def reset_password(user_id: int, body: PasswordReset, admin: AdminDep, session: SessionDep) -> ResetResult:
    user = _in_org(session, admin, user_id)
    password = credentials.reset_password(session, user=user, actor=admin, new_password=body.password or None)
    session.commit()
    return ResetResult(login=user.login, temporary_password=password)


@router.post("/users/{user_id}/{action}", response_model=UserPublic, summary="解锁、停用或重新启用用户（管理员）")
def user_action(user_id: int, action: Literal["unlock", "deactivate", "activate"], admin: AdminDep,
                session: SessionDep) -> UserPublic:
    user = _in_org(session, admin, user_id)
    getattr(credentials, action)(session, user=user, actor=admin)
    session.commit()
    return user_public(session, user)


def _in_org(session: Session, admin: User, user_id: int) -> User:
    user = accounts.get_user(session, user_id=user_id)
    if user.org_id != admin.org_id:
        raise NotFound("user_not_found", "用户不存在")
    return user
