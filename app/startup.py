"""What every `gongkai` command does first: load settings, set up logging, refuse unsafe starts.

Registered as the Typer callback in `app/cli.py`, so it runs before any sub-command. Server
commands (serve, run, scheduler) refuse to start outside the sandbox when a secret is missing,
still a placeholder or too weak, naming the variable; the value itself is never printed.
Sandbox mode is only ever asked for: GONGKAI_SANDBOX=1, or `--sandbox` on run, serve or scheduler
(which sets that variable in `request_sandbox`, so the processes they start inherit it).
"""

from __future__ import annotations

import logging
import os
import sys

import typer
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.logging_setup import setup_logging
from content.db.db import normalize_url
from content.settings import PLACEHOLDER_SECRETS, Settings, weak_secret_key

SERVER_COMMANDS = {"serve", "run", "scheduler"}
# Server commands with a --sandbox option check after it (app/commands/sandbox_flag.py), not here.
CHECK_THEMSELVES = {"serve", "run", "scheduler"}
SANDBOX_HINT = "试用或演示请用沙箱模式：gongkai run --sandbox（或设置 GONGKAI_SANDBOX=1）"
AES_KEY_LENGTH = 43  # EncodingAESKey as shown by the WeChat consoles

# Each channel: (variables that switch it on, variables then required, secret variables among them).
CHANNEL_GROUPS = {
    "企业微信": (("wecom_corp_id", "wecom_agent_id", "wecom_secret", "wecom_token", "wecom_aes_key"),
                ("wecom_corp_id", "wecom_agent_id", "wecom_secret", "wecom_token", "wecom_aes_key")),
    "公众号": (("mp_app_id", "mp_secret", "mp_token", "mp_aes_key"),
               ("mp_app_id", "mp_secret", "mp_token", "mp_aes_key")),
    "门户网站": (("portal_url", "portal_token"), ("portal_url", "portal_token")),
}


def _value(settings: Settings, name: str) -> str:
    raw = getattr(settings, name)
    return raw.get_secret_value() if hasattr(raw, "get_secret_value") else str(raw)


def _env(name: str) -> str:
    return f"GONGKAI_{name.upper()}"


def startup_problems(settings: Settings) -> list[str]:
    """Chinese one-liners, each naming a variable; empty when the process may start."""
    problems = [f"{name} {weak_secret_key(settings.secret_key.get_secret_value())}；"
                "请运行 gongkai init 生成，或设置为至少 32 字节的随机值（例如 openssl rand -hex 32 的输出）"
                for name in settings.secret_problems()]
    for label, (switches, required) in CHANNEL_GROUPS.items():
        if not any(_value(settings, n) for n in switches):
            continue  # channel not configured: its sandbox emulator stands in
        for name in required:
            value = _value(settings, name)
            if value.strip().lower() in PLACEHOLDER_SECRETS:
                problems.append(f"{_env(name)} 未设置或仍是示例值（已配置{label}）")
        for name in required:
            if name.endswith("aes_key") and _value(settings, name) and len(_value(settings, name)) != AES_KEY_LENGTH:
                problems.append(f"{_env(name)} 长度应为 {AES_KEY_LENGTH} 个字符（{label} EncodingAESKey）")
    return problems


def load_settings() -> Settings:
    """Settings from the environment; a malformed variable is one line and exit 2."""
    try:
        settings = Settings()
    except ValidationError as exc:
        names = ", ".join(_env(str(e["loc"][0])) for e in exc.errors() if e.get("loc"))
        print(f"错误：配置无效：{names or '请检查 GONGKAI_* 环境变量'}", file=sys.stderr)
        raise SystemExit(2) from None
    try:
        make_url(normalize_url(settings.database_url))
    except ArgumentError:
        print("错误：GONGKAI_DATABASE_URL 不是有效的数据库地址（例如 sqlite:///./gongkai.db 或 "
              "postgresql://用户@主机:5432/库名）", file=sys.stderr)
        raise SystemExit(2) from None
    return settings


def refuse_unsafe_start(settings: Settings) -> None:
    problems = startup_problems(settings)
    if problems:
        for line in problems:
            print(f"错误：拒绝启动：{line}", file=sys.stderr)
        if not settings.sandbox_requested:
            print(f"提示：{SANDBOX_HINT}", file=sys.stderr)
        raise SystemExit(2)
    if settings.sandbox:
        print("提示：未配置企业微信、公众号和门户网站凭据，运行在沙箱模式（所有发送都进入本地模拟器）。",
              file=sys.stderr)


def request_sandbox() -> None:
    """`--sandbox` (run, serve, scheduler): GONGKAI_SANDBOX for this process and every process it starts."""
    os.environ["GONGKAI_SANDBOX"] = "1"


def preflight(ctx: typer.Context) -> None:
    """gongkai 政务公开发布系统"""
    settings = load_settings()
    server = ctx.invoked_subcommand in SERVER_COMMANDS
    setup_logging(settings, level=logging.INFO if server else logging.WARNING)
    if server and ctx.invoked_subcommand not in CHECK_THEMSELVES:
        refuse_unsafe_start(settings)
