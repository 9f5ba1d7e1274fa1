"""Channel adapters and the registry each scheduler process builds once.

`FACTORIES` lists functions `(settings, engine) -> adapter | None`; a package adding a channel
(WeCom group robots, the bulletin board) appends its factory here. `None` means "not configured".
In sandbox mode the portal and the official account point at the loopback emulators.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.engine import Engine

from channels.base import ChannelAdapter, ChannelRegistry
from content.settings import Settings

log = logging.getLogger("gongkai.scheduler")


def portal_factory(settings: Settings, engine: Engine) -> ChannelAdapter | None:
    from channels.portal import PortalChannel

    if settings.portal_url:
        return PortalChannel(settings.portal_url, settings.portal_token.get_secret_value(),
                             public_url=settings.public_url)
    if settings.sandbox and settings.sandbox_portal_url:  # wired by app.sandbox_wiring
        return PortalChannel(settings.sandbox_portal_url, settings.sandbox_portal_token.get_secret_value(),
                             public_url=settings.public_url)
    return None


def mp_factory(settings: Settings, engine: Engine) -> ChannelAdapter | None:
    if not (settings.mp_configured or settings.sandbox):
        return None
    from bot.wechat.clients import mp_client
    from channels.mp.mp import MpChannel
    from channels.mp.mp_mass import mass_config
    from content.files import backend_from_settings
    from content.files.store import publishing_reader

    return MpChannel(mp_client(engine, settings), public_url=settings.public_url,
                     mass=mass_config(settings, engine),
                     file_reader=publishing_reader(engine, backend_from_settings(settings)))


def wecom_group_factory(settings: Settings, engine: Engine) -> ChannelAdapter | None:
    """Always on: the robots are configured per group in the database (settings page)."""
    from channels.wecom_group.wecom_group import WecomGroupChannel

    return WecomGroupChannel(engine, public_url=settings.public_url)


def board_factory(settings: Settings, engine: Engine) -> ChannelAdapter | None:
    from channels.board.board import BoardChannel
    from content.files import backend_from_settings

    return BoardChannel(engine, public_url=settings.public_url, files=backend_from_settings(settings))


FACTORIES: list[Callable[[Settings, Engine], ChannelAdapter | None]] = [
    portal_factory, mp_factory, wecom_group_factory, board_factory,
]  # fmt: skip


def build_registry(settings: Settings, engine: Engine) -> ChannelRegistry:
    registry = ChannelRegistry()
    for factory in FACTORIES:
        adapter = factory(settings, engine)
        if adapter is not None:
            registry.register(adapter)
    log.info("publishing channels: %s", registry.names() or "none")
    return registry
