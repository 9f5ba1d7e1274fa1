"""Sandbox mode, wired at the composition root: the loopback emulators stand in for WeChat, WeCom and the
portal by filling the settings' endpoints, so no production package ever starts or imports an emulator."""

from __future__ import annotations

from pydantic import SecretStr

from content.settings import Settings


def with_sandbox_endpoints(settings: Settings) -> Settings:
    """In sandbox mode, point every endpoint that is not configured at this process's emulators (started on
    first use), in place: the app, its scheduler and the code that built them share one settings object.
    Outside the sandbox nothing changes. Returns the settings for chaining."""
    if not settings.sandbox:
        return settings
    if not (settings.wecom_api_base and settings.mp_api_base):
        from sandbox.shared import shared_emulator

        url = shared_emulator().url
        settings.wecom_api_base = settings.wecom_api_base or f"{url}/wecom"
        settings.mp_api_base = settings.mp_api_base or f"{url}/mp"
    if not (settings.portal_url or settings.sandbox_portal_url):
        from sandbox.portal_emulator import shared_portal_emulator

        portal = shared_portal_emulator()
        settings.sandbox_portal_url = portal.url
        settings.sandbox_portal_token = SecretStr(portal.token or "")
    return settings
