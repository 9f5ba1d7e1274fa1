"""`gongkai department add|list` and `gongkai user add|list|role|password|reset|unlock|deactivate|activate`."""

from __future__ import annotations

import typer
from sqlmodel import select

from app.cli_support import cli_session
from content import accounts, credentials, login_throttle
from content.models import ROLE_LABELS, Department, Oversight, Role, User

department_cli = typer.Typer(help="部门管理", no_args_is_help=True)
user_cli = typer.Typer(help="用户管理", no_args_is_help=True)

ROLE_HELP = "角色：drafter 拟稿人 | dept_head 供稿部门负责人 | leader 分管领导 | principal 镇主要领导 | admin 政务公开专员；多个用逗号分隔"


def register(cli: typer.Typer) -> None:
    cli.add_typer(department_cli, name="department")
    cli.add_typer(user_cli, name="user")


def _names(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [n.strip() for n in value.replace("，", ",").split(",") if n.strip()]


@department_cli.command("add")
def department_add(
    name: str = typer.Argument(..., help="部门名称"),
    org: str | None = typer.Option(None, "--org", help="机构代码（默认第一个机构）"),
) -> None:
    """新建部门。"""
    with cli_session() as s:
        org_row = accounts.get_org(s, code=org)
        dept = accounts.create_department(s, org_id=org_row.id, name=name)
    typer.echo(f"已创建部门：{dept.name}（编号 {dept.id}）")


@department_cli.command("list")
def department_list(org: str | None = typer.Option(None, "--org", help="机构代码")) -> None:
    """列出部门。"""
    with cli_session() as s:
        org_row = accounts.get_org(s, code=org)
        depts = s.exec(select(Department).where(Department.org_id == org_row.id).order_by(Department.id)).all()
    if not depts:
        typer.echo("（还没有部门，用 gongkai department add 名称 新建）")
    for d in depts:
        typer.echo(f"{d.id}\t{d.name}{'' if d.active else '（已停用）'}")


@user_cli.command("add")
def user_add(
    login: str = typer.Argument(..., help="登录名"),
    name: str = typer.Option(..., "--name", help="姓名"),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    password: str = typer.Option(..., "--password", help="初始密码（至少 8 位）", prompt="初始密码",
                                 hide_input=True, confirmation_prompt=True),
    department: str | None = typer.Option(None, "--department", help="所属部门名称"),
    oversees: str | None = typer.Option(None, "--oversees", help="分管部门名称，逗号分隔（分管领导）"),
    org: str | None = typer.Option(None, "--org", help="机构代码（默认第一个机构）"),
) -> None:
    """新建用户。"""
    with cli_session() as s:
        org_row = accounts.get_org(s, code=org)
        user = accounts.create_user(s, org_id=org_row.id, login=login, name=name, password=password, roles=role,
                                    department=department, oversees=_names(oversees))
        roles = _role_labels(accounts.roles_of(s, user.id))
    typer.echo(f"已创建用户：{user.login}（{user.name}），角色：{roles}")


@user_cli.command("list")
def user_list(org: str | None = typer.Option(None, "--org", help="机构代码")) -> None:
    """列出用户、角色、部门和分管部门。"""
    with cli_session() as s:
        org_row = accounts.get_org(s, code=org)
        users = s.exec(select(User).where(User.org_id == org_row.id).order_by(User.id)).all()
        depts = {d.id: d.name for d in s.exec(select(Department).where(Department.org_id == org_row.id)).all()}
        rows = []
        for u in users:
            overseen = s.exec(select(Oversight.department_id).where(Oversight.user_id == u.id)).all()
            rows.append([
                u.login, u.name, _role_labels(accounts.roles_of(s, u.id)), depts.get(u.department_id, "—"),
                "、".join(sorted(depts[i] for i in overseen)) or "—", _status(s, u),
            ])  # fmt: skip
    typer.echo("\t".join(["登录名", "姓名", "角色", "部门", "分管部门", "状态"]))
    for row in rows:
        typer.echo("\t".join(row))


@user_cli.command("role")
def user_role(
    login: str = typer.Argument(..., help="登录名"),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    oversees: str | None = typer.Option(None, "--oversees", help="分管部门名称，逗号分隔（替换原有分管部门）"),
) -> None:
    """设置用户的角色（替换原有角色）和分管部门。"""
    with cli_session() as s:
        user = accounts.get_user(s, login=login)
        accounts.set_roles(s, user=user, roles=role, oversees=_names(oversees))
        roles = _role_labels(accounts.roles_of(s, user.id))
    typer.echo(f"已更新 {user.login} 的角色：{roles}")


def _status(session, user: User) -> str:
    parts = ["启用" if user.active else "停用"]
    if login_throttle.is_locked(session, login=user.login):
        parts.append("已锁定")
    if user.must_change_password:
        parts.append("待改密码")
    return "，".join(parts)


@user_cli.command("password")
def user_password(
    login: str = typer.Argument(..., help="登录名"),
    old_password: str = typer.Option(..., "--old-password", help="当前密码", prompt="当前密码", hide_input=True),
    new_password: str = typer.Option(..., "--new-password", help="新密码（至少 8 位）", prompt="新密码",
                                     hide_input=True, confirmation_prompt=True),
) -> None:
    """修改本人密码（需要当前密码；该账号的所有登录和令牌随即失效）。"""
    with cli_session() as s:
        user = accounts.get_user(s, login=login)
        credentials.change_password(s, user=user, old_password=old_password, new_password=new_password)
    typer.echo(f"已修改 {login} 的密码；该账号原有的登录和访问令牌已全部失效。")


@user_cli.command("reset")
def user_reset(
    login: str = typer.Argument(..., help="登录名"),
    password: str | None = typer.Option(None, "--password", help="指定临时密码（不填则自动生成）"),
) -> None:
    """管理员重置密码：生成（或指定）临时密码，只显示一次；对方下次登录必须修改。"""
    with cli_session() as s:
        user = accounts.get_user(s, login=login)
        temporary = credentials.reset_password(s, user=user, actor=None, new_password=password)
    typer.echo(f"已重置 {login} 的密码。临时密码：{temporary}（只显示这一次；对方登录后必须修改）")
    typer.echo("该账号原有的登录和访问令牌已全部失效，锁定也已解除。")


@user_cli.command("unlock")
def user_unlock(login: str = typer.Argument(..., help="登录名")) -> None:
    """解锁因密码错误次数过多而被锁定的账号。"""
    with cli_session() as s:
        user = accounts.get_user(s, login=login)
        credentials.unlock(s, user=user, actor=None)
    typer.echo(f"已解锁 {login}，可以立即登录。")


@user_cli.command("deactivate")
def user_deactivate(login: str = typer.Argument(..., help="登录名")) -> None:
    """停用账号（不删除）：不能登录，所有登录和令牌失效，微信命令被拒绝。"""
    with cli_session() as s:
        user = accounts.get_user(s, login=login)
        credentials.deactivate(s, user=user, actor=None)
    typer.echo(f"已停用 {login}；该账号的所有登录和访问令牌已失效。")


@user_cli.command("activate")
def user_activate(login: str = typer.Argument(..., help="登录名")) -> None:
    """重新启用已停用的账号。"""
    with cli_session() as s:
        user = accounts.get_user(s, login=login)
        credentials.activate(s, user=user, actor=None)
    typer.echo(f"已重新启用 {login}。")


def _role_labels(roles: set[str]) -> str:
    order = list(Role)
    return "、".join(ROLE_LABELS[Role(r)] for r in sorted(roles, key=lambda r: order.index(Role(r)))) or "—"
