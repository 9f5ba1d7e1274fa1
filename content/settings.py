"""Runtime configuration from GONGKAI_* environment variables (and an optional .env file)."""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from content.files.store import DEFAULT_ATTACHMENT_MAX_BYTES, DEFAULT_IMAGE_MAX_BYTES

PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "please-change-me", "dev-secret-key"}
DEV_SECRET_KEY = "dev-secret-key"
MIN_SECRET_KEY_LENGTH = 32  # characters; `gongkai init` writes 64 hex characters (32 random bytes)
MIN_SECRET_KEY_DISTINCT = 12  # distinct characters: refuses "aaaa…" and short words repeated


def weak_secret_key(value: str) -> str | None:
    """Why a secret key is not good enough outside the sandbox (Chinese), or None."""
    if value.strip().lower() in PLACEHOLDER_SECRETS:
        return "未设置或仍是示例值"
    if len(value) < MIN_SECRET_KEY_LENGTH:
        return f"过短（至少 {MIN_SECRET_KEY_LENGTH} 个随机字符）"
    if len(set(value)) < MIN_SECRET_KEY_DISTINCT:
        return "不够随机（字符种类太少）"
    return None


class Settings(BaseSettings):
    """All settings of one gongkai process. Built once in `app` and passed down."""

    model_config = SettingsConfigDict(env_prefix="GONGKAI_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./gongkai.db"
    # Sandbox mode only when asked for (GONGKAI_SANDBOX=1 or `gongkai run --sandbox`): local emulators
    # stand in for unconfigured channels and the development secret key is allowed. Without it,
    # missing credentials leave a channel off, and the secret key must be strong.
    sandbox_requested: bool = Field(default=False, validation_alias=AliasChoices(
        "GONGKAI_SANDBOX", "sandbox_requested"))
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    public_url: str = "http://127.0.0.1:8000"

    wecom_corp_id: str = ""
    wecom_agent_id: str = ""
    wecom_secret: SecretStr = SecretStr("")
    wecom_token: SecretStr = SecretStr("")
    wecom_aes_key: SecretStr = SecretStr("")
    wecom_api_base: str = ""

    mp_app_id: str = ""
    mp_secret: SecretStr = SecretStr("")
    mp_token: SecretStr = SecretStr("")
    mp_aes_key: SecretStr = SecretStr("")
    mp_api_base: str = ""
    mp_template_id: str = ""  # the review-notice template of the official account (模板消息)
    mp_mass_send: bool = False  # publish by 群发 (message/mass/sendall) instead of 发布 (freepublish)
    mp_mass_quota: int = Field(default=1, ge=1)  # per period: subscription account 1 a day, service account 4 a month
    mp_mass_period: Literal["day", "month"] = "day"  # Asia/Shanghai calendar

    portal_url: str = ""
    portal_token: SecretStr = SecretStr("")
    # Set by app.sandbox_wiring in sandbox mode (the loopback portal emulator), not by hand.
    sandbox_portal_url: str = ""
    sandbox_portal_token: SecretStr = SecretStr("")

    max_body_bytes: int = 2_000_000
    # File store (content.files): a directory by default ("files" beside the SQLite database, else ./files),
    # or an S3-compatible object store when s3_endpoint and s3_bucket are set.
    files_dir: str = ""
    s3_endpoint: str = ""
    s3_bucket: str = ""
    s3_region: str = "us-east-1"
    s3_access_key: str = ""
    s3_secret_key: SecretStr = SecretStr("")
    image_max_bytes: int = Field(default=DEFAULT_IMAGE_MAX_BYTES, ge=1)
    attachment_max_bytes: int = Field(default=DEFAULT_ATTACHMENT_MAX_BYTES, ge=1)
    dispatch_interval_seconds: float = 5.0
    review_reminder_hours: int = 24
    json_logs: bool = False
    # Set by `gongkai serve` / `gongkai run` for the processes they start (app.delivery_process), not by hand.
    delivery_socket: str = ""

    @cached_property
    def wecom_configured(self) -> bool:
        return bool(self.wecom_corp_id and self.wecom_secret.get_secret_value())

    @cached_property
    def mp_configured(self) -> bool:
        return bool(self.mp_app_id and self.mp_secret.get_secret_value())

    @cached_property
    def portal_configured(self) -> bool:
        return bool(self.portal_url)

    @property
    def sandbox(self) -> bool:
        """True when sandbox mode was asked for and no external channel is configured (real credentials win)."""
        return self.sandbox_requested and not (self.wecom_configured or self.mp_configured or self.portal_configured)

    def secret_problems(self) -> list[str]:
        """Names of variables that hold a weak or placeholder value where a real secret is required."""
        if self.sandbox:
            return []
        problems = []
        if weak_secret_key(self.secret_key.get_secret_value()):
            problems.append("GONGKAI_SECRET_KEY")
        return problems
