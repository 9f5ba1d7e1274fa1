"""`gongkai scheduler` (the standalone publishing process) and `gongkai run` (web + bot + scheduler)."""

from __future__ import annotations

import logging

import typer

from app.cli_support import die, open_engine
from app.commands.sandbox_flag import banner, checked_settings, sandbox_option

log = logging.getLogger("gongkai")


def register(cli: typer.Typer) -> None:
    cli.command("scheduler")(scheduler)
    cli.command("run")(run)


def scheduler(
    interval: float = typer.Option(
        None, "--interval", help="发布检查间隔（秒），默认取 GONGKAI_DISPATCH_INTERVAL_SECONDS"
    ),
    sandbox: bool = sandbox_option(),
) -> None:
    """启动调度器：按时发布已批准的稿件、核对发布结果、撤稿、发送提醒（可多进程同时运行）。"""
    from app.scheduler_jobs import all_jobs
    from scheduler.service import run_forever

    settings = checked_settings(sandbox)
    if interval is not None:
        if interval <= 0:
            die("--interval 必须大于 0")
        settings.dispatch_interval_seconds = interval
    engine = open_engine(settings)
    for line in banner(settings):
        typer.echo(line)
    typer.echo(
        f"调度器已启动（每 {settings.dispatch_interval_seconds:g} 秒检查一次待发布稿件），按 Ctrl+C 停止。"
    )
    run_forever(engine, settings, jobs=all_jobs())
    engine.dispose()
    typer.echo("调度器已停止。")


def run(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    sandbox: bool = sandbox_option(),
) -> None:
    """启动全部功能：网页界面、API、微信回调和内置调度器（沙箱模式下同时启动模拟器）。"""
    import uvicorn

    from app.delivery_process import delivery_process
    from app.factory import create_app
    from app.gc_tuning import tune_for_serving
    from app.http_protocol import PROTOCOL
    from app.scheduler_jobs import all_jobs
    from scheduler.service import start_background

    # links name this port unless GONGKAI_PUBLIC_URL says otherwise; checked here, after --sandbox
    settings = checked_settings(sandbox, host, port)
    engine = open_engine(settings)
    if settings.sandbox:
        from app.demo import follow_public_url

        follow_public_url(engine, settings.public_url)
    for line in banner(settings):
        typer.echo(line)
    with delivery_process(settings):
        handle = start_background(engine, settings, jobs=all_jobs())
        typer.echo(f"网页界面：http://{host}:{port}/   调度器已在本进程内运行，消息由投递进程发送。")
        app = create_app(settings, engine=engine)
        tune_for_serving()
        try:
            uvicorn.run(app, host=host, port=port, log_level="info", http=PROTOCOL)
        finally:
            handle.stop()
            engine.dispose()
