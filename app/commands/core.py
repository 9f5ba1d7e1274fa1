"""init, serve: the commands every installation needs first."""

from __future__ import annotations

import secrets

import typer
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from app.checks_core import missing_sqlite_file
from app.cli_support import die, open_engine
from app.commands.sandbox_flag import banner, checked_settings, sandbox_option
from app.migrate import upgrade
from app.secret_key import ensure_secret_key
from content import accounts
from content.models import User, UserRole
from content.outbox import installation_uid
from content.seed import seed_org
from content.settings import Settings


def register(cli: typer.Typer) -> None:
    cli.command("init")(init)
    cli.command("serve")(serve)


def init(
    org_name: str = typer.Option("示例镇人民政府", "--org-name", help="机构名称"),
    org_code: str = typer.Option("default", "--org-code", help="机构代码"),
    demo: bool = typer.Option(False, "--demo", help="写入演示数据（示例镇、各角色账号、各状态稿件）；可重复运行"),
) -> None:
    """初始化数据库：迁移到最新版本，创建机构、分类和管理员（密码只显示一次）。"""
    settings = Settings()
    engine = open_engine(settings, require_migrated=False)
    try:
        upgrade(engine)
    except OperationalError as exc:
        die(f"无法连接数据库（{type(exc.orig).__name__}），请检查 GONGKAI_DATABASE_URL")
    with Session(engine, expire_on_commit=False) as s:
        org, created = seed_org(s, code=org_code, name=org_name)
        installation = installation_uid(s)  # made by the migration; kept by backups and restores
        has_admin = s.exec(select(UserRole).where(UserRole.org_id == org.id, UserRole.role == "admin")).first()
        password = None
        if not has_admin:
            password = secrets.token_urlsafe(12)
            login = "admin" if not s.exec(select(User).where(User.login == "admin")).first() else f"admin-{org_code}"
            accounts.create_user(s, org_id=org.id, login=login, name="政务公开专员", password=password, roles="admin")
        s.commit()
    typer.echo(f"数据库已迁移到最新版本。机构：{org.name}（{'新建' if created else '已存在'}）")
    if key_note := ensure_secret_key(settings):
        typer.echo(key_note)
    typer.echo(f"安装标识：{installation}（发布幂等键的前缀；恢复备份后保持不变）")
    if password:
        typer.echo(f"管理员账号：{login}  初始密码：{password}（只显示这一次，请登录后修改）")
    if demo:
        from app.demo import init_demo
        from content.files import context_from_settings

        typer.echo("\n".join(init_demo(engine, org_code=org_code, public_url=settings.public_url,
                                       files=context_from_settings(settings))))
    engine.dispose()


def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    workers: int = typer.Option(1, "--workers", help="uvicorn 进程数（需 PostgreSQL）"),
    access_log: bool = typer.Option(False, "--access-log/--no-access-log",
                                    help="每个请求记一行访问日志（默认关闭：部署时由 nginx 记录）"),
    sandbox: bool = sandbox_option(),
) -> None:
    """启动网页界面、API 和微信回调（不含调度器）。"""
    import uvicorn

    from app.delivery_process import delivery_process
    from app.http_protocol import PROTOCOL

    # links name this port unless GONGKAI_PUBLIC_URL says otherwise; checked here, after --sandbox
    settings = checked_settings(sandbox, host, port)
    if path := missing_sqlite_file(settings.database_url):
        die(f"数据库文件 {path} 不存在，请先运行 gongkai init")
    engine = open_engine(settings)  # refuses an unreachable or unmigrated database with a clear line
    if settings.sandbox:
        from app.demo import follow_public_url

        follow_public_url(engine, settings.public_url)  # the demo robot posts to this server's port
    engine.dispose()
    for line in banner(settings):
        typer.echo(line)
    with delivery_process(settings):
        if workers > 1:
            uvicorn.run("app.asgi:app", host=host, port=port, workers=workers, log_level="info", log_config=None,
                        http=PROTOCOL, access_log=access_log)
        else:
            from app.factory import create_app
            from app.gc_tuning import tune_for_serving

            app = create_app(settings)
            tune_for_serving()
            uvicorn.run(app, host=host, port=port, log_level="info", log_config=None, http=PROTOCOL,
                        access_log=access_log)
