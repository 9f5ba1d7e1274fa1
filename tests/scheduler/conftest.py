from __future__ import annotations

import pytest

from channels.base import ChannelRegistry
from channels.portal import PortalChannel
from sandbox.portal_emulator import PortalEmulator


@pytest.fixture
def portal_emulator():
    emu = PortalEmulator(token="portal-token").start()
    yield emu
    emu.stop()


@pytest.fixture
def portal(portal_emulator):
    channel = PortalChannel(portal_emulator.url, "portal-token", timeout=0.5, backoff=0.01, attempts=4)
    yield channel
    channel.close()


@pytest.fixture
def registry(portal):
    return ChannelRegistry([portal])


@pytest.fixture
def wechat_emulator():
    from sandbox import WeChatEmulator

    emu = WeChatEmulator().start()
    yield emu
    emu.stop()


IMAGES = {"/media/a.png": b"\x89PNG-a", "/media/b.png": b"\x89PNG-b", "/media/cover.jpg": b"\xff\xd8cover"}


@pytest.fixture
def mp(engine, wechat_emulator):
    from bot.wechat.clients import mp_client
    from channels.mp.mp import MpChannel
    from content.settings import Settings

    settings = Settings(mp_api_base=wechat_emulator.mp_base, _env_file=None)
    return MpChannel(mp_client(engine, settings), image_loader=lambda src: (src.rsplit("/", 1)[-1], IMAGES[src]),
                     quota_retry_seconds=0.0)  # fmt: skip


@pytest.fixture
def mp_registry(mp):
    return ChannelRegistry([mp])
