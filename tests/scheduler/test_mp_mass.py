"""Mass-send mode (群发) of the official-account channel against the WeChat emulator, both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from bot.wechat.clients import mp_client
from channels.base import ChannelRegistry
from channels.mp.mass_quota import MassSend, Quota
from channels.mp.mp import MpChannel
from channels.mp.mp_mass import MassSendConfig, mass_config
from content.models import Item, Publication, Revision
from content.settings import Settings
from content.timeutil import local, utcnow
from scheduler import outbox, reconcile
from scheduler.dispatch import build_job, dispatch_once
from tests.scheduler.conftest import IMAGES
from tests.scheduler.helpers import approved_item, cfg, pub

BODY = '<p>图一<img src="/media/a.png"></p>'


def _channel(engine, emu, *, limit=1, period="day") -> MpChannel:
    settings = Settings(mp_api_base=emu.mp_base, _env_file=None)
    return MpChannel(mp_client(engine, settings), image_loader=lambda src: (src.rsplit("/", 1)[-1], IMAGES[src]),
                     mass=MassSendConfig(engine, Quota("mp:test", limit, period)))  # fmt: skip


@pytest.fixture
def mass(engine, wechat_emulator) -> MpChannel:
    return _channel(engine, wechat_emulator)


def _items(engine, world, count=1) -> list[int]:
    return approved_item(engine, world, channels=("mp",), body_html=BODY, cover_image="/media/cover.jpg",
                         count=count)


def _n(emu, endpoint) -> int:
    return len(emu.records(api="mp", endpoint=endpoint))


def _slots(engine) -> list[tuple[str, int, str, str | None]]:
    with Session(engine) as s:
        rows = s.exec(select(MassSend).order_by(MassSend.period_key, MassSend.slot)).all()
        return [(r.period_key, r.slot, r.state, r.msg_id) for r in rows]


def _tomorrow():
    return local(utcnow()).date() + timedelta(days=1)


def test_settings_switch_mass_mode_on_per_account(engine):
    assert mass_config(Settings(_env_file=None), engine) is None
    on = mass_config(Settings(mp_mass_send=True, mp_mass_quota=4, mp_mass_period="month", mp_app_id="wx1",
                              _env_file=None), engine)  # fmt: skip
    assert on.quota == Quota("mp:wx1", 4, "month")


def test_sendall_with_the_draft_then_confirmed_by_mass_get(engine, world, wechat_emulator, mass):
    wechat_emulator.state.mass_plan = ["SENDING", "SEND_SUCCESS"]
    [pid] = _items(engine, world)
    registry = ChannelRegistry([mass])
    assert dispatch_once(engine, registry, cfg()).outcomes == {"sent": 1}
    [draft] = wechat_emulator.records(api="mp", endpoint="draft/add")
    [sendall] = wechat_emulator.records(api="mp", endpoint="message/mass/sendall")
    assert sendall.json == {"filter": {"is_to_all": True}, "mpnews": {"media_id": draft.response["media_id"]},
                            "msgtype": "mpnews", "send_ignore_reprint": 0}
    assert _n(wechat_emulator, "freepublish/submit") == 0
    msg_id = str(sendall.response["msg_id"])
    row = pub(engine, pid)
    assert row.state == "sent" and row.remote_id == f"mass:{msg_id}" and row.progress["mass_msg_id"] == msg_id
    assert _slots(engine) == [(local(utcnow()).date().isoformat(), 1, "sent", msg_id)]

    assert reconcile.confirm_sent(engine, registry, cfg()) == {"in_flight": 1}
    assert reconcile.confirm_sent(engine, registry, cfg()) == {"confirmed": 1}
    assert pub(engine, pid).state == "confirmed"
    with Session(engine) as s:
        assert s.get(Item, pub(engine, pid).item_id).state == "published"
    assert [r.json for r in wechat_emulator.records(api="mp", endpoint="message/mass/get")] == [
        {"msg_id": int(msg_id)}] * 2


def test_quota_used_up_keeps_the_row_pending_until_the_next_day(engine, world, wechat_emulator, mass):
    ids = _items(engine, world, count=2)
    registry = ChannelRegistry([mass])
    assert dispatch_once(engine, registry, cfg()).outcomes == {"sent": 1, "retry": 1}
    [first] = [p for p in ids if pub(engine, p).state == "sent"]
    [second] = [p for p in ids if p != first]
    assert _n(wechat_emulator, "message/mass/sendall") == 1
    assert _n(wechat_emulator, "draft/add") == 1  # nothing was uploaded for the waiting one
    row = pub(engine, second)
    assert row.state == "pending" and row.attempts == 0 and "群发次数" in row.last_error
    assert local(row.next_attempt_at).date() == _tomorrow() and local(row.next_attempt_at).hour == 0
    assert dispatch_once(engine, registry, cfg()).claimed == 0  # not due before the next period

    # The next day: yesterday's slot is history, the row is due again.
    with Session(engine) as s:
        s.exec(update(MassSend).values(period_key="2000-01-01"))
        s.exec(update(Publication).where(Publication.id == second).values(next_attempt_at=utcnow()))
        s.commit()
    assert dispatch_once(engine, registry, cfg()).outcomes == {"sent": 1}
    assert _n(wechat_emulator, "message/mass/sendall") == 2
    assert pub(engine, second).remote_id.startswith("mass:") and pub(engine, first).remote_id.startswith("mass:")


def test_service_account_gets_four_a_month(engine, world, wechat_emulator):
    channel = _channel(engine, wechat_emulator, limit=4, period="month")
    ids = _items(engine, world, count=5)
    assert dispatch_once(engine, ChannelRegistry([channel]), cfg()).outcomes == {"sent": 4, "retry": 1}
    waiting = [p for p in ids if pub(engine, p).state == "pending"]
    assert len(waiting) == 1
    nxt = local(pub(engine, waiting[0]).next_attempt_at)
    assert (nxt.day, nxt.hour) == (1, 0) and nxt.month == (local(utcnow()).month % 12) + 1


def test_45028_from_wechat_waits_for_the_next_period(engine, world, wechat_emulator, mass):
    wechat_emulator.state.mass_quota = 0  # sent from the MP backend already: WeChat has no quota left
    first, second = _items(engine, world, count=2)
    registry = ChannelRegistry([mass])
    assert dispatch_once(engine, registry, cfg()).outcomes == {"retry": 2}
    [refused] = wechat_emulator.records(api="mp", endpoint="message/mass/sendall")
    assert refused.response["errcode"] == 45028  # the second row did not even ask: the period is blocked
    for pid in (first, second):
        row = pub(engine, pid)
        assert row.state == "pending" and row.attempts == 0 and local(row.next_attempt_at).date() == _tomorrow()
    assert [s[2] for s in _slots(engine)] == ["platform_full"]
    progress = [pub(engine, pid).progress for pid in (first, second)]
    assert all("mass_slot" not in p for p in progress)
    assert sorted(str(p.get("mass_attempted", "never")) for p in progress) == ["False", "never"]


def test_other_refusal_gives_the_slot_back(engine, world, wechat_emulator, mass):
    wechat_emulator.fail("message/mass/sendall", 45065)  # e.g. a reprint check failure: permanent
    [pid] = _items(engine, world)
    assert dispatch_once(engine, ChannelRegistry([mass]), cfg()).outcomes == {"failed": 1}
    assert "45065" in pub(engine, pid).last_error
    assert _slots(engine) == []


def test_sendall_attempted_without_answer_is_never_repeated(engine, world, wechat_emulator, mass):
    [pid] = _items(engine, world)
    outbox.claim_due(engine, cfg("dead", lease_seconds=0.0))
    with Session(engine) as s:  # the dead process had stored the draft and started the sendall call
        row = s.get(Publication, pid)
        row.progress = {"draft": "draft-x", "mass_slot": {"period": "x", "slot": 1}, "mass_attempted": True}
        s.add(row)
        s.commit()
    registry = ChannelRegistry([mass])
    reconcile.reap_expired(engine, cfg(), now=utcnow() + timedelta(seconds=1))
    assert reconcile.reconcile_unknown(engine, registry, cfg()) == {"failed": 1}
    assert _n(wechat_emulator, "message/mass/sendall") == 0
    assert "核实" in pub(engine, pid).last_error


def test_withdrawal_deletes_the_mass_message(engine, world, wechat_emulator, mass):
    [pid] = _items(engine, world)
    registry = ChannelRegistry([mass])
    dispatch_once(engine, registry, cfg())
    reconcile.confirm_sent(engine, registry, cfg())
    with Session(engine) as s:
        row = s.get(Publication, pid)
        job = build_job(engine, cfg(), s, row, s.get(Revision, row.revision_id), track_lease=False)
    mass.withdraw(job, "内容有误")
    [deleted] = wechat_emulator.records(api="mp", endpoint="message/mass/delete")
    assert deleted.json == {"msg_id": int(row.remote_id[5:]), "article_idx": 0}
    assert wechat_emulator.state.mass_status(row.remote_id[5:]) == "DELETE"
    mass.withdraw(job, "内容有误")  # idempotent: already deleted is success
    assert _n(wechat_emulator, "freepublish/delete") == 0


def test_a_free_publication_in_flight_is_finished_freely(engine, world, wechat_emulator, mass):
    [pid] = _items(engine, world)
    free = MpChannel(mass.client, image_loader=mass.load_image)
    dispatch_once(engine, ChannelRegistry([free]), cfg())  # sent by freepublish before the switch
    assert reconcile.confirm_sent(engine, ChannelRegistry([mass]), cfg()) == {"confirmed": 1}
    assert _n(wechat_emulator, "message/mass/sendall") == 0 and _slots(engine) == []


def test_a_failed_mass_send_is_sent_again_once_by_resend(engine, world, wechat_emulator):
    """重新发送 after WeChat reported SEND_FAIL: the old msg_id is asked first, then one new sendall goes out."""
    from content.models import User
    from content.publications import retry_publication

    channel = _channel(engine, wechat_emulator, limit=2)
    registry = ChannelRegistry([channel])
    wechat_emulator.state.mass_plan = ["SEND_FAIL"]
    [pid] = _items(engine, world)
    assert dispatch_once(engine, registry, cfg()).outcomes == {"sent": 1}
    first = pub(engine, pid).progress["mass_msg_id"]
    reconcile.confirm_sent(engine, registry, cfg())
    assert pub(engine, pid).state == "failed"

    wechat_emulator.state.mass_plan = ["SEND_SUCCESS"]
    with Session(engine) as s:
        retry_publication(s, pub_id=pub(engine, pid).id, actor=s.get(User, world.admin))
        s.commit()
    assert dispatch_once(engine, registry, cfg()).outcomes == {"sent": 1}
    assert _n(wechat_emulator, "message/mass/sendall") == 2  # sent again, once
    row = pub(engine, pid)
    assert row.progress["earlier_mass_msg_ids"] == [first] and row.progress["mass_msg_id"] != first
    reconcile.confirm_sent(engine, registry, cfg())
    assert pub(engine, pid).state == "confirmed"
    assert dispatch_once(engine, registry, cfg()).claimed == 0
    assert _n(wechat_emulator, "message/mass/sendall") == 2
