"""`GET /api/v1/me` and the admin's user endpoints (list, create, change roles)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select

from content import accounts
from content.api.auth import AdminDep, CurrentUserDep
from content.deps import SessionDep
from content.errors import NotFound
from content.models import ROLE_LABELS, Department, Oversight, Role, User, UserRole

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
    )  # fmt: skip


@router.get("/me", response_model=UserPublic, summary="当前用户")
def me(user: CurrentUserDep, session: SessionDep) -> UserPublic:
    return user_public(session, user)


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


def _in_org(session: Session, admin: User, user_id: int) -> User:
    user = accounts.get_user(session, user_id=user_id)
    if user.org_id != admin.org_id:
        raise NotFound("user_not_found", "用户不存在")
    return user
