"""MASSSENDJOBFINISH over encrypted /wechat/mp traffic confirms (or fails) a mass-sent post, both databases."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.models import PublishEvent
from bot.wechat.clients import mp_client
from channels.base import ChannelRegistry
from channels.mp.mass_quota import Quota
from channels.mp.mp import MpChannel
from channels.mp.mp_mass import MassSendConfig
from content.models import Item
from scheduler import mp_events
from scheduler.dispatch import dispatch_once
from tests.scheduler.helpers import approved_item, cfg, pub


def _mass_sent(engine, world, settings, emu) -> tuple[int, str]:
    channel = MpChannel(mp_client(engine, settings), image_loader=lambda src: ("a.png", b"\x89PNG"),
                        mass=MassSendConfig(engine, Quota("mp:test", 4, "month")))  # fmt: skip
    [pid] = approved_item(engine, world, channels=("mp",), cover_image="/media/cover.jpg")
    assert dispatch_once(engine, ChannelRegistry([channel]), cfg()).outcomes == {"sent": 1}
    return pid, pub(engine, pid).progress["mass_msg_id"]


def test_mass_job_finish_event_confirms_the_post(mp_chat, engine, world, settings, emu):
    pid, msg_id = _mass_sent(engine, world, settings, emu)
    event = emu.mass_job_finish(msg_id)
    assert mp_chat.send_xml(event) == (200, "")
    assert mp_chat.send_xml(event) == (200, "")  # the platform's retry is stored once
    with Session(engine) as s:
        (stored,) = s.exec(select(PublishEvent)).all()
        assert (stored.publish_id, stored.publish_status) == (f"mass:{msg_id}", 0)
    assert mp_events.apply_publish_events(engine, cfg()) == 1
    row = pub(engine, pid)
    assert row.state == "confirmed" and row.remote_id == f"mass:{msg_id}"
    assert row.remote_url == f"{emu.url}/s/mass-{msg_id}"  # the emulator serves the article there
    with Session(engine) as s:
        assert s.get(Item, row.item_id).state == "published"


def test_failed_mass_job_fails_the_post(mp_chat, engine, world, settings, emu):
    pid, msg_id = _mass_sent(engine, world, settings, emu)
    assert mp_chat.send_xml(emu.mass_job_finish(msg_id, status="err(30003)")) == (200, "")
    assert mp_events.apply_publish_events(engine, cfg()) == 1
    row = pub(engine, pid)
    assert row.state == "failed" and "公众号发布失败" in row.last_error


def test_event_without_msg_id_is_ignored(mp_chat, engine, emu):
    inner = mp_chat.cc.event("mphelper", "MASSSENDJOBFINISH", extra="<Status><![CDATA[send success]]></Status>")
    assert mp_chat.send_xml(inner) == (200, "")
    with Session(engine) as s:
        assert s.exec(select(PublishEvent)).all() == []
