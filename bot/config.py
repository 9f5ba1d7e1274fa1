"""Which WeChat credentials and API hosts the bot uses, including the deterministic sandbox values.

Sandbox mode (no WeChat or portal credentials configured) still runs the callbacks in safe mode, so
it needs a token and an EncodingAESKey. Unless set explicitly, they are derived as follows (the chat
simulator, the tests and the benchmark encrypt with the same values):

    WeCom:  corp id "ww-gongkai-sandbox", agent id "1000002", token "gongkai-sandbox-wecom",
            AES key = base64(sha256(b"gongkai-sandbox-wecom-aes")) without the trailing "="
    MP:     app id "wx-gongkai-sandbox", token "gongkai-sandbox-mp",
            AES key = base64(sha256(b"gongkai-sandbox-mp-aes")) without the trailing "="

API hosts: `wecom_api_base` / `mp_api_base` name the host root (e.g. "https://qyapi.weixin.qq.com");
"/cgi-bin/" is appended. Empty means the official host, or in sandbox mode the emulator's URL.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from content.settings import Settings


WECOM_OFFICIAL = "https://qyapi.weixin.qq.com"
MP_OFFICIAL = "https://api.weixin.qq.com"
SANDBOX_CORP_ID = "ww-gongkai-sandbox"
SANDBOX_AGENT_ID = "1000002"
SANDBOX_MP_APP_ID = "wx-gongkai-sandbox"


def _sandbox_aes(label: str) -> str:
    return base64.b64encode(hashlib.sha256(label.encode()).digest()).decode().rstrip("=")


@dataclass(frozen=True)
class ChannelConfig:
    channel: str  # wecom | mp
    receive_id: str  # corp id (wecom) or app id (mp): checked inside every encrypted message
    agent_id: str  # wecom only
    token: str
    aes_key: str
    secret: str
    api_base: str  # host root; the client appends /cgi-bin/

    @property
    def usable(self) -> bool:
        return bool(self.receive_id and self.token and len(self.aes_key) == 43)


def _api_base(settings: Settings, configured: str, official: str) -> str:
    """The platform's host, or what app wired in; sandbox mode never falls back to the real platform."""
    if configured:
        return configured
    if settings.sandbox:
        raise RuntimeError("sandbox mode without emulator endpoints: build settings with "
                           "app.sandbox_wiring.with_sandbox_endpoints")
    return official


def channel_config(settings: Settings, channel: str) -> ChannelConfig:
    sandbox = settings.sandbox
    if channel == "wecom":
        base = _api_base(settings, settings.wecom_api_base, WECOM_OFFICIAL)
        return ChannelConfig(
            channel="wecom",
            receive_id=settings.wecom_corp_id or (SANDBOX_CORP_ID if sandbox else ""),
            agent_id=settings.wecom_agent_id or (SANDBOX_AGENT_ID if sandbox else ""),
            token=settings.wecom_token.get_secret_value() or ("gongkai-sandbox-wecom" if sandbox else ""),
            aes_key=settings.wecom_aes_key.get_secret_value()
            or (_sandbox_aes("gongkai-sandbox-wecom-aes") if sandbox else ""),
            secret=settings.wecom_secret.get_secret_value() or ("sandbox-secret" if sandbox else ""),
            api_base=_strip(base),
        )
    if channel == "mp":
        base = _api_base(settings, settings.mp_api_base, MP_OFFICIAL)
        return ChannelConfig(
            channel="mp",
            receive_id=settings.mp_app_id or (SANDBOX_MP_APP_ID if sandbox else ""),
            agent_id="",
            token=settings.mp_token.get_secret_value() or ("gongkai-sandbox-mp" if sandbox else ""),
            aes_key=settings.mp_aes_key.get_secret_value()
            or (_sandbox_aes("gongkai-sandbox-mp-aes") if sandbox else ""),
            secret=settings.mp_secret.get_secret_value() or ("sandbox-secret" if sandbox else ""),
            api_base=_strip(base),
        )
    raise ValueError(f"unknown channel {channel!r}")


def _strip(base: str) -> str:
    base = base.rstrip("/")
    return base[: -len("/cgi-bin")] if base.endswith("/cgi-bin") else base
