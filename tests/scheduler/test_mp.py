"""The official-account channel against the bot's WeChat emulator (real loopback HTTP), both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.models import PublishEvent
from channels.mp.mp import MpChannel
from content.models import Item, Notification
from content.timeutil import utcnow
from scheduler import mp_events, outbox, reconcile
from scheduler.dispatch import dispatch_once
from tests.scheduler.helpers import approved_item, cfg, pub

BODY = (
    '<p>图一<img src="/media/a.png"></p><p>图二<img src=\'/media/b.png\'>再用一次<img src="/media/a.png"></p>'
)


def _item(engine, world, **kw):
    kw.setdefault("body_html", BODY)
    kw.setdefault("cover_image", "/media/cover.jpg")
    [pid] = approved_item(engine, world, channels=("mp",), **kw)
    return pid


def _n(emu, endpoint):
    return len(emu.records(api="mp", endpoint=endpoint))


def test_publish_uploads_images_rewrites_body_and_confirms_by_polling(
    engine, world, wechat_emulator, mp_registry
):
    pid = _item(engine, world)
    assert dispatch_once(engine, mp_registry, cfg()).outcomes == {"sent": 1}
    assert _n(wechat_emulator, "media/uploadimg") == 2  # a.png once, b.png once
    assert _n(wechat_emulator, "material/add_material") == 1
    [draft] = wechat_emulator.records(api="mp", endpoint="draft/add")
    article = draft.json["articles"][0]
    assert "/media/" not in article["content"] and article["content"].count("<img") == 3
    uploaded = [r.response["url"] for r in wechat_emulator.records(api="mp", endpoint="media/uploadimg")]
    assert all(u in article["content"] for u in uploaded)
    row = pub(engine, pid)
    assert row.state == "sent" and row.remote_id == row.progress["publish_id"]
    assert set(row.progress) >= {"images", "thumb", "draft", "publish_id"}

    assert reconcile.confirm_sent(engine, mp_registry, cfg()) == {"confirmed": 1}
    row = pub(engine, pid)
    assert row.state == "confirmed" and row.remote_url.startswith(f"{wechat_emulator.url}/s/article-")
    with Session(engine) as s:
        assert s.get(Item, row.item_id).state == "published"


def test_crash_between_draft_and_submit_resumes_with_the_stored_draft(
    engine, world, wechat_emulator, mp_registry, mp
):
    pid = _item(engine, world)

    class Crash(BaseException):
        pass

    class DiesBeforeSubmit(MpChannel):
        def send(self, job):
            original = job.save_progress

            def save(progress):
                original(progress)
                if progress.get("submit_attempted") is None and "draft" in progress:
                    raise Crash  # the process dies right after draft/add was stored

            job.save_progress = save
            return super().send(job)

    dying = DiesBeforeSubmit(mp.client, image_loader=mp.load_image)
    from channels.base import ChannelRegistry

    with pytest.raises(Crash):
        dispatch_once(engine, ChannelRegistry([dying]), cfg("dead", lease_seconds=0.0))
    row = pub(engine, pid)
    assert row.state == "claimed" and row.progress.get("draft") and "publish_id" not in row.progress
    assert _n(wechat_emulator, "freepublish/submit") == 0

    # the restarted scheduler: the lease has run out, reconciliation finds nothing published, resumes
    assert reconcile.reap_expired(engine, cfg(), now=utcnow() + timedelta(seconds=1)) == 1
    assert reconcile.reconcile_unknown(engine, mp_registry, cfg()) == {"requeued": 1}
    assert dispatch_once(engine, mp_registry, cfg()).outcomes == {"sent": 1}
    assert _n(wechat_emulator, "draft/add") == 1
    assert _n(wechat_emulator, "media/uploadimg") == 2 and _n(wechat_emulator, "material/add_material") == 1
    [submit] = wechat_emulator.records(api="mp", endpoint="freepublish/submit")
    assert submit.json["media_id"] == row.progress["draft"]


def test_40001_refreshes_the_token_once_and_retries_once(engine, world, wechat_emulator, mp_registry):
    _item(engine, world)
    dispatch_once(engine, mp_registry, cfg())  # warms the token cache

    def tokens():
        return len(wechat_emulator.records(api="mp", endpoint="token", include_tokens=True))

    before, drafts_before = tokens(), len(wechat_emulator.state.drafts)
    pid = _item(engine, world, title="第二篇")
    wechat_emulator.fail("draft/add", 40001)
    assert dispatch_once(engine, mp_registry, cfg()).outcomes == {"sent": 1}
    assert _n(wechat_emulator, "draft/add") == 3  # the first item's, the refused call and its one retry
    assert tokens() == before + 1  # exactly one refresh
    assert len(wechat_emulator.state.drafts) == drafts_before + 1 and pub(engine, pid).state == "sent"


def test_45009_quota_is_retried_later(engine, world, wechat_emulator, mp_registry):
    pid = _item(engine, world)
    wechat_emulator.fail("freepublish/submit", 45009)
    assert dispatch_once(engine, mp_registry, cfg()).outcomes == {"retry": 1}
    row = pub(engine, pid)
    assert row.state == "pending" and "45009" in row.last_error and row.progress["submit_attempted"] is False
    assert dispatch_once(engine, mp_registry, cfg()).outcomes == {"sent": 1}
    assert _n(wechat_emulator, "draft/add") == 1 and _n(wechat_emulator, "freepublish/submit") == 2


def test_publish_status_4_fails_with_the_reason(engine, world, wechat_emulator, mp_registry):
    wechat_emulator.state.publish_plan = [1, 4]
    pid = _item(engine, world)
    dispatch_once(engine, mp_registry, cfg())
    assert reconcile.confirm_sent(engine, mp_registry, cfg()) == {"in_flight": 1}
    assert reconcile.confirm_sent(engine, mp_registry, cfg()) == {"failed": 1}
    row = pub(engine, pid)
    assert row.state == "failed" and "平台审核不通过" in row.last_error
    with Session(engine) as s:
        note = s.exec(select(Notification).where(Notification.kind == "publication.failed")).one()
        assert note.user_id == world.drafter and "平台审核不通过" in note.data["reason"]


def test_publishjobfinish_event_from_the_bot_confirms(engine, world, wechat_emulator, mp_registry):
    pid = _item(engine, world)
    dispatch_once(engine, mp_registry, cfg())
    publish_id = pub(engine, pid).remote_id
    with Session(engine) as s:
        s.add(PublishEvent(publish_id=publish_id, publish_status=0, article_id="art-9",
                           article_urls=["https://mp.weixin.qq.com/s/x"]))  # fmt: skip
        s.commit()
    assert mp_events.apply_publish_events(engine, cfg()) == 1
    assert mp_events.apply_publish_events(engine, cfg()) == 0  # consumed once
    row = pub(engine, pid)
    assert row.state == "confirmed" and row.remote_id == "art-9" and row.remote_url.endswith("/s/x")


def test_missing_cover_and_images_uses_the_default_cover(engine, world, wechat_emulator, mp_registry):
    from channels.mp.mp import DEFAULT_COVER

    pid = _item(engine, world, body_html="<p>没有图片</p>", cover_image=None)
    assert dispatch_once(engine, mp_registry, cfg()).outcomes != {"failed": 1}
    assert pub(engine, pid).last_error is None
    assert _n(wechat_emulator, "material/add_material") == 1
    assert _n(wechat_emulator, "draft/add") == 1
    assert DEFAULT_COVER.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_submit_attempted_without_answer_is_never_resubmitted(engine, world, wechat_emulator, mp_registry):
    pid = _item(engine, world)
    outbox.claim_due(engine, cfg("dead", lease_seconds=0.0))
    from sqlmodel import Session as S

    from content.models import Publication

    with S(engine) as s:  # the dead process had stored the draft and started the submit call
        p = s.get(Publication, pid)
        p.progress = {"draft": "draft-x", "submit_attempted": True}
        s.add(p)
        s.commit()
    reconcile.reap_expired(engine, cfg(), now=utcnow() + timedelta(seconds=1))
    assert reconcile.reconcile_unknown(engine, mp_registry, cfg()) == {"failed": 1}
    assert _n(wechat_emulator, "freepublish/submit") == 0
    assert "核实" in pub(engine, pid).last_error
