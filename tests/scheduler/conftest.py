from __future__ import annotations

import pytest

from scheduler.channels.base import ChannelRegistry
from scheduler.channels.portal import PortalChannel
from scheduler.portal_emulator import PortalEmulator


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
