"""`--sandbox` for every server command (serve, run, scheduler), and the banner that says so.

The flag only sets GONGKAI_SANDBOX for this process and those it starts (`app.startup.request_sandbox`);
each command then checks its settings itself (`refuse_unsafe_start`), after the flag: the CLI
callback cannot, because it runs before a sub-command's options are applied.
"""

from __future__ import annotations

import typer

from app.settings import Settings

SANDBOX_HELP = "沙箱模式：未配置的渠道改用本机模拟器，允许开发密钥（见 app/startup.py）"


def sandbox_option() -> bool:
    """The `--sandbox` option, the same wording on every command."""
    return typer.Option(False, "--sandbox", help=SANDBOX_HELP)


def checked_settings(sandbox: bool, host: str | None = None, port: int | None = None) -> Settings:
    """Settings after the flag: sandbox requested if asked for, links following the listen address when one
    is given, and an unsafe start refused (exit 2 with the variable named)."""
    from app.public_url import follow_listen_address
    from app.startup import refuse_unsafe_start, request_sandbox

    if sandbox:
        request_sandbox()
    settings = follow_listen_address(host, port) if port is not None else Settings()
    refuse_unsafe_start(settings)
    return settings


def banner(settings: Settings) -> list[str]:
    """Start the loopback emulators in sandbox mode and say so loudly."""
    if not settings.sandbox:
        return []
    from bot.sandbox.shared import shared_emulator
    from scheduler.portal_emulator import shared_portal_emulator

    wechat, portal = shared_emulator(), shared_portal_emulator()
    return [
        "=" * 72,
        "【沙箱模式】未配置企业微信、公众号或门户网站的凭据：",
        "  所有发布和消息都发往本机模拟器，不会到达真实的网站或微信。",
        f"  模拟门户网站：{portal.url}/   （已发布的稿件可在这里查看）",
        f"  模拟微信接口：{wechat.url}   （请求记录：{wechat.url}/_emulator/records）",
        "  配置 GONGKAI_PORTAL_URL / GONGKAI_MP_APP_ID 等变量后即正式发布。",
        "=" * 72,
    ]
