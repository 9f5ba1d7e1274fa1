"""`gongkai check-config`: run every registered configuration check (app/checks_registry.py)."""

from __future__ import annotations

import sys

import typer

from app.checks_registry import LEVEL_LABELS, Level, run_checks
from content.settings import Settings


def register(cli: typer.Typer) -> None:
    cli.command("check-config")(check_config)


def check_config() -> None:
    """检查配置：数据库、运行模式（沙箱）、凭据、密钥等。有错误时退出码为 1。"""
    results = run_checks(Settings())
    width = max((len(r.name) for r in results), default=0)
    for r in results:
        typer.echo(f"[{LEVEL_LABELS[r.level]}] {r.name.ljust(width, '　')}  {r.message}")
    failed = [r for r in results if r.level is Level.fail]
    if failed:
        print(f"发现 {len(failed)} 项错误，请按提示修正后再启动。", file=sys.stderr)
        raise typer.Exit(1)
    typer.echo("配置检查通过。")
