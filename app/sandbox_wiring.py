"""Sandbox mode, wired at the composition root: the loopback emulators stand in for WeChat, WeCom and the
portal by filling the settings' endpoints, so no production package ever starts or imports an emulator."""

from __future__ import annotations

from pydantic import SecretStr

from content.settings import Settings


def with_sandbox_endpoints(settings: Settings) -> Settings:
    """In sandbox mode, the same settings with every endpoint that is not configured pointing at this
    process's emulators (started on first use); outside it, the settings unchanged."""
    if not settings.sandbox:
        return settings
    update: dict[str, object] = {}
    if not (settings.wecom_api_base and settings.mp_api_base):
        from sandbox.shared import shared_emulator

        url = shared_emulator().url
        update["wecom_api_base"] = settings.wecom_api_base or f"{url}/wecom"
        update["mp_api_base"] = settings.mp_api_base or f"{url}/mp"
    if not settings.portal_url:
        from sandbox.portal_emulator import shared_portal_emulator

        portal = shared_portal_emulator()
        update["sandbox_portal_url"] = portal.url
        update["sandbox_portal_token"] = SecretStr(portal.token or "")
    return settings.model_copy(update=update) if update else settings
