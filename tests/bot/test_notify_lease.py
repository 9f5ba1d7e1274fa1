"""Notification delivery leases: a claim whose process died is delivered again, once (both databases)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from bot.notify import (
    LEASE_SECONDS,
    MAX_ATTEMPTS,
    _renew,
    claim,
    claim_batch,
    deliver_claimed,
    deliver_pending,
)
from content.models import Notification
from content.timeutil import utcnow
from tests.bot.conftest import bind
from tests.content.helpers import act, make_item


def _review_note(engine, world) -> int:
    """head_a (bound on WeCom) gets one review.pending notification."""
    bind(engine, world.head_a, wecom="head-a")
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    with Session(engine) as s:
        return s.exec(select(Notification.id).where(Notification.user_id == world.head_a,
                                                    Notification.kind == "review.pending")).one()


def _note(engine, note_id) -> Notification:
    with Session(engine) as s:
        return s.get(Notification, note_id)


def _set(engine, note_id, **values) -> None:
    with Session(engine) as s:
        note = s.get(Notification, note_id)
        for key, value in values.items():
            setattr(note, key, value)
        s.add(note)
        s.commit()


def _later():
    return utcnow() + timedelta(seconds=LEASE_SECONDS + 1)


def test_claim_die_expire_redeliver_exactly_once(engine, world, settings, emu):
    note_id = _review_note(engine, world)
    held = claim(engine, settings, note_id)  # … and the process dies before sending
    assert held is not None and _note(engine, note_id).state == "sending"
    assert deliver_pending(engine, settings)["sent"] == 0  # the lease still holds
    assert emu.records(api="wecom", endpoint="message/send") == []

    assert deliver_pending(engine, settings, now=_later())["sent"] == 1
    (sent,) = emu.records(api="wecom", endpoint="message/send")
    assert sent.json["touser"] == "head-a" and sent.json["msgtype"] == "template_card"
    note = _note(engine, note_id)
    assert (note.state, note.attempts, note.claimed_until) == ("sent", 2, None)
    assert note.progress["wecom"]["msgid"] == sent.response["msgid"]

    assert deliver_pending(engine, settings, now=_later() + timedelta(hours=1)) == {
        "sent": 0, "failed": 0, "retry": 0, "skipped": 0}
    assert len(emu.records(api="wecom", endpoint="message/send")) == 1


def test_a_paused_process_whose_claim_was_taken_over_sends_nothing(engine, world, settings, emu):
    note_id = _review_note(engine, world)
    stale = claim(engine, settings, note_id)
    assert deliver_pending(engine, settings, now=_later())["sent"] == 1  # another process took over
    stale.taken_at = float("-inf")  # the first process wakes up long after its lease ran out
    assert deliver_claimed(engine, settings, stale) == "lost"
    assert len(emu.records(api="wecom", endpoint="message/send")) == 1
    assert _note(engine, note_id).state == "sent"


def test_resumed_delivery_skips_steps_whose_answer_is_stored(engine, world, settings, emu):
    note_id = _review_note(engine, world)
    claim(engine, settings, note_id)
    _set(engine, note_id, progress={"wecom": {"msgid": "msg-earlier", "at": utcnow().isoformat()}})
    assert deliver_pending(engine, settings, now=_later())["sent"] == 1
    assert emu.records(api="wecom", endpoint="message/send") == []
    note = _note(engine, note_id)
    assert note.state == "sent" and note.progress["wecom"]["msgid"] == "msg-earlier"


def test_rows_stuck_before_leases_existed_are_delivered(engine, world, settings, emu):
    note_id = _review_note(engine, world)
    _set(engine, note_id, state="sending", attempts=1, claimed_until=None)
    assert deliver_pending(engine, settings)["sent"] == 1
    assert len(emu.records(api="wecom", endpoint="message/send")) == 1


def test_expired_on_the_last_attempt_fails_without_sending(engine, world, settings, emu):
    note_id = _review_note(engine, world)
    _set(engine, note_id, state="sending", attempts=MAX_ATTEMPTS, claimed_until=utcnow() - timedelta(seconds=1))
    deliver_pending(engine, settings)
    note = _note(engine, note_id)
    assert note.state == "failed" and note.last_error and note.claimed_until is None
    assert emu.records(api="wecom", endpoint="message/send") == []


def test_failed_send_releases_the_claim_and_retries(engine, world, settings, emu):
    note_id = _review_note(engine, world)
    emu.fail("message/send", 45033, api="wecom")
    assert deliver_pending(engine, settings)["retry"] == 1
    note = _note(engine, note_id)
    assert (note.state, note.claimed_until, note.progress) == ("pending", None, {})
    assert "45033" in note.last_error
    assert deliver_pending(engine, settings)["sent"] == 1
    assert len(emu.records(api="wecom", endpoint="message/send")) == 2  # the refused call and the delivery


def test_one_batch_skips_unbound_and_claims_the_rest_together(engine, world, settings, emu):
    note_id = _review_note(engine, world)  # head_a is bound; approving notifies unbound people
    act(engine, world.head_a, _note(engine, note_id).item_id, "approve")
    with Session(engine) as s:
        others = s.exec(select(Notification.id).where(Notification.id != note_id)).all()
    assert others  # the leader's review card and the drafter's message: neither is bound
    batch, closed = claim_batch(engine, settings)
    assert [h.note_id for h in batch] == [note_id] and closed == {"skipped": len(others), "failed": 0}
    for other in others:
        note = _note(engine, other)
        assert (note.state, note.attempts, note.claimed_until) == ("skipped", 1, None)
    assert claim_batch(engine, settings) == ([], {"skipped": 0, "failed": 0})  # nothing left to take
    assert deliver_claimed(engine, settings, batch[0]) == "sent"
    assert len(emu.records(api="wecom", endpoint="message/send")) == 1


def test_a_long_batch_renews_the_leases_of_its_waiting_rows(engine, world, settings, emu):
    first = _review_note(engine, world)
    second_item = make_item(engine, world.drafter)
    act(engine, world.drafter, second_item, "submit")
    batch, _ = claim_batch(engine, settings)
    assert [h.note_id for h in batch][0] == first and len(batch) == 2
    for held in batch:
        held.taken_at = float("-inf")  # the batch has been running longer than FRESH_SECONDS
    _set(engine, batch[1].note_id, claimed_until=utcnow() + timedelta(seconds=1))
    assert _renew(engine, batch)
    assert _note(engine, batch[1].note_id).claimed_until > utcnow() + timedelta(seconds=LEASE_SECONDS - 10)
    # another process takes the second row over after its lease ran out: the batch drops it unsent
    _set(engine, batch[1].note_id, claimed_until=utcnow() - timedelta(seconds=1))
    assert claim(engine, settings, batch[1].note_id) is not None
    batch[1].taken_at = float("-inf")
    assert not _renew(engine, batch[1:])
    assert emu.records(api="wecom", endpoint="message/send") == []
