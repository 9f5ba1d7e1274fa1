"""One dispatch lane per channel (issue #14): while the portal hangs, the official account is still sent and
confirmed by the running scheduler. Events and polling only, no timing thresholds. Both databases."""

from __future__ import annotations

import pytest

from channels.base import ChannelRegistry
from channels.portal import PortalChannel
from content.settings import Settings
from scheduler import service
from scheduler.jobs import SCHEDULER_JOBS
from tests.scheduler.helpers import approved_item, cfg, pub
from tests.waiting import wait_for


@pytest.fixture
def slow_portal(portal_emulator):
    channel = PortalChannel(portal_emulator.url, "portal-token", timeout=120, attempts=1)  # waits as long as it hangs
    yield channel
    channel.close()


def test_a_hung_portal_does_not_hold_up_the_official_account(engine, world, portal_emulator, slow_portal, mp):
    release = portal_emulator.hold_posts()
    settings = Settings(_env_file=None, dispatch_interval_seconds=0.1)
    jobs = [spec for spec in SCHEDULER_JOBS if spec.id in ("dispatch", "reconcile")]
    handle = service.start_background(engine, settings, registry=ChannelRegistry([slow_portal, mp]), jobs=jobs,
                                      outbox=cfg(worker="lanes", lease_seconds=600))
    try:
        [portal_id] = approved_item(engine, world, channels=("portal",), title="门户稿件")
        assert wait_for(portal_emulator.held.is_set)  # the portal call is now hanging
        # an official-account post that becomes due while the portal hangs
        [mp_id] = approved_item(engine, world, channels=("mp",), title="公众号稿件")
        assert wait_for(lambda: pub(engine, mp_id).state == "confirmed")
        assert not release.is_set() and pub(engine, portal_id).state == "claimed"
        assert portal_emulator.posts == {}  # still hanging: nothing stored yet
        assert handle.context.lanes.busy() == ["portal"]
        release.set()
        assert wait_for(lambda: pub(engine, portal_id).state == "confirmed")
    finally:
        release.set()
        handle.stop()
    assert [p.title for p in portal_emulator.live_posts()] == ["门户稿件"]
