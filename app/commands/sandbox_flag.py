"""`--sandbox` for every server command (serve, run, scheduler), and the banner that says so.

The flag only sets GONGKAI_SANDBOX for this process and those it starts (`app.startup.request_sandbox`);
each command then checks its settings itself (`refuse_unsafe_start`), after the flag: the CLI
callback cannot, because it runs before a sub-command's options are applied.
"""

from __future__ import annotations

import typer

from app.sandbox_wiring import with_sandbox_endpoints
from content.settings import Settings

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
    return with_sandbox_endpoints(settings)


def banner(settings: Settings) -> list[str]:
    """In sandbox mode (settings wired by `checked_settings`), say loudly where everything goes."""
    if not settings.sandbox:
        return []
    portal_url, wechat_url = settings.sandbox_portal_url, settings.wecom_api_base.rsplit("/", 1)[0]
    return [
        "=" * 72,
        "【沙箱模式】未配置企业微信、公众号或门户网站的凭据：",
        "  所有发布和消息都发往本机模拟器，不会到达真实的网站或微信。",
        f"  模拟门户网站：{portal_url}/   （已发布的稿件可在这里查看）",
        f"  模拟微信接口：{wechat_url}   （请求记录：{wechat_url}/_emulator/records）",
        "  配置 GONGKAI_PORTAL_URL / GONGKAI_MP_APP_ID 等变量后即正式发布。",
        "=" * 72,
    ]
