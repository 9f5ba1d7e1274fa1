"""A withdrawal whose publication row is gone is a lost race, not a crash of the publisher."""

from channels.base import ChannelRegistry
from scheduler.outbox import OutboxConfig
from scheduler.withdraw import _withdraw_one


def test_withdraw_of_a_missing_publication_is_lost_not_a_crash(engine):
    # Before the Optional fix this raised AttributeError ('NoneType' object has no attribute 'progress').
    outcome = _withdraw_one(engine, ChannelRegistry(), OutboxConfig(worker_id="w-test"), 987654)
    assert outcome == "lost"
