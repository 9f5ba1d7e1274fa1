"""`gongkai department add|list` and `gongkai user add|list|role`."""

from __future__ import annotations

import typer
from sqlmodel import select

from app.cli_support import cli_session
from content import accounts
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
                "、".join(sorted(depts[i] for i in overseen)) or "—", "启用" if u.active else "停用",
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


def _role_labels(roles: set[str]) -> str:
    order = list(Role)
    return "、".join(ROLE_LABELS[Role(r)] for r in sorted(roles, key=lambda r: order.index(Role(r)))) or "—"
