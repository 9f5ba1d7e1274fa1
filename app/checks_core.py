"""Core `check-config` checks: database, sandbox and credentials, secret key."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from app.checks_registry import CheckResult, config_check
from app.migrate import current_heads, expected_heads
from content.db.db import make_engine
from content.settings import PLACEHOLDER_SECRETS, Settings, weak_secret_key

# Per channel: the variables it needs (field name on Settings → environment variable).
CHANNEL_VARS = {
    "企业微信": ["wecom_corp_id", "wecom_agent_id", "wecom_secret", "wecom_token", "wecom_aes_key"],
    "微信公众号": ["mp_app_id", "mp_secret", "mp_token", "mp_aes_key"],
    "门户网站": ["portal_url", "portal_token"],
}


def _env(field: str) -> str:
    return f"GONGKAI_{field.upper()}"


def _is_set(settings: Settings, field: str) -> bool:
    value = getattr(settings, field)
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return bool(value)


def missing_sqlite_file(url: str) -> str | None:
    """The path of a SQLite database file that does not exist yet (connecting would create it)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    db = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or db in ("", ":memory:") or db.startswith("file:"):
        return None
    return None if Path(db).exists() else db


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "（无法解析）"


@config_check
def database(settings: Settings) -> CheckResult:
    """数据库"""
    name = "数据库"
    url = _safe_url(settings.database_url)
    if path := missing_sqlite_file(settings.database_url):
        return CheckResult.fail(name, f"数据库文件 {path} 不存在，请先运行 gongkai init")
    try:
        engine = make_engine(settings.database_url)
    except (ArgumentError, ValueError):
        return CheckResult.fail(name, f"GONGKAI_DATABASE_URL 无效：{url}")
    try:
        current, expected = current_heads(engine), expected_heads()
    except OperationalError as exc:
        return CheckResult.fail(name, f"无法连接 {url}（{type(exc.orig).__name__}），请检查 GONGKAI_DATABASE_URL")
    finally:
        engine.dispose()
    if not current:
        return CheckResult.fail(name, f"{url} 尚未初始化，请运行 gongkai init")
    if current != expected:
        return CheckResult.fail(name, f"{url} 的数据库版本不是最新，请运行 gongkai init 升级")
    return CheckResult.ok(name, f"{url} 可连接，已迁移到最新版本")


@config_check
def channels(settings: Settings) -> list[CheckResult]:
    """发布渠道凭据"""
    if settings.sandbox:
        missing = [_env(f) for fields in CHANNEL_VARS.values() for f in fields if not _is_set(settings, f)]
        return [CheckResult.warn("运行模式", "沙箱模式（GONGKAI_SANDBOX=1）：未配置企业微信、公众号和门户凭据，"
                                 f"消息和发布都发往本地模拟器。缺少：{'、'.join(missing)}")]
    results = []
    for channel, fields in CHANNEL_VARS.items():
        missing = [_env(f) for f in fields if not _is_set(settings, f)]
        if not missing:
            results.append(CheckResult.ok(channel, "凭据已配置"))
        elif len(missing) == len(fields):
            results.append(CheckResult.warn(channel, f"未配置（{'、'.join(missing)}），该渠道不可用"))
        else:
            results.append(CheckResult.fail(channel, f"凭据不完整，缺少：{'、'.join(missing)}"))
    return results


@config_check
def secret_key(settings: Settings) -> CheckResult:
    """密钥"""
    value = settings.secret_key.get_secret_value()
    weak = weak_secret_key(value)
    if weak and not settings.sandbox:
        return CheckResult.fail("密钥", f"GONGKAI_SECRET_KEY {weak}；正式环境必须设置至少 32 字节的随机密钥"
                                        "（gongkai init 可生成到 .env），否则拒绝启动")
    if value in PLACEHOLDER_SECRETS:
        return CheckResult.warn("密钥", "GONGKAI_SECRET_KEY 是占位值（沙箱模式允许；正式使用前请设置随机密钥）")
    if weak:
        return CheckResult.warn("密钥", f"GONGKAI_SECRET_KEY {weak}（沙箱模式允许；正式使用前请更换）")
    return CheckResult.ok("密钥", "GONGKAI_SECRET_KEY 已设置")
