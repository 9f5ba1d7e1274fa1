"""A crash between `freepublish/submit` and storing its publish_id (issue #14): reconciliation finds the
article in the publish records (freepublish/batchget on the WeChat emulator), the admin can confirm or
send again, and nothing is ever published twice. Both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.wechat import api
from channels.mp.mp import NOT_IN_RECORDS
from content.errors import Conflict, Forbidden, Invalid
from content.models import AuditEvent, Item, Publication, User
from content.publications import confirm_publication, retry_publication
from content.timeutil import utcnow
from scheduler import reconcile
from scheduler.dispatch import dispatch_once
from tests.scheduler.helpers import approved_item, cfg, pub
from tests.web.pages.conftest import WebClient

TITLE = "关于开展秋季爱国卫生运动的通知"


class Crash(BaseException):
    """The process dies (kill -9): nothing after this point runs, the row stays claimed."""


@pytest.fixture
def crash_on_submit(monkeypatch):
    """`after=True`: WeChat accepted the submit, the process dies before storing the publish_id.
    `after=False`: the process dies before the request leaves."""

    def arm(*, after: bool) -> None:
        real = api.freepublish_submit

        def submit(client, media_id):
            if after:
                real(client, media_id)
            monkeypatch.setattr(api, "freepublish_submit", real)  # the restarted process submits normally
            raise Crash()

        monkeypatch.setattr(api, "freepublish_submit", submit)

    return arm


def crash_and_restart(engine, registry, crash_on_submit, *, after: bool) -> None:
    crash_on_submit(after=after)
    with pytest.raises(Crash):
        dispatch_once(engine, registry, cfg(lease_seconds=60))
    # the scheduler comes back: the dead process's lease runs out and the row is asked about
    assert reconcile.reap_expired(engine, cfg(), now=utcnow() + timedelta(seconds=61)) == 1


def submits(emulator) -> int:
    return len(emulator.records(endpoint="freepublish/submit"))


def article_url_of_last_job(emulator) -> str:
    with emulator.state.lock:
        job = list(emulator.state.jobs.values())[-1]
        return emulator.state.articles[job["article_id"]]["urls"][0]


def test_crash_after_submit_is_found_in_the_publish_records_and_confirmed(engine, world, wechat_emulator, mp_registry,
                                                                          crash_on_submit):
    # an earlier post with the same title is in the records too: the match is ours, not just the title
    [earlier] = approved_item(engine, world, channels=("mp",), title=TITLE)
    dispatch_once(engine, mp_registry, cfg())
    reconcile.confirm_sent(engine, mp_registry, cfg())
    assert pub(engine, earlier).state == "confirmed"
    [pid] = approved_item(engine, world, channels=("mp",), title=TITLE)
    crash_and_restart(engine, mp_registry, crash_on_submit, after=True)
    row = pub(engine, pid)
    assert row.state == "unknown" and row.progress["submit_attempted"] and "publish_id" not in row.progress

    assert reconcile.reconcile_unknown(engine, mp_registry, cfg()) == {"confirmed": 1}
    row = pub(engine, pid)
    assert row.state == "confirmed" and row.remote_url == article_url_of_last_job(wechat_emulator)
    assert row.remote_url != pub(engine, earlier).remote_url
    with Session(engine) as s:
        assert s.get(Item, row.item_id).state == "published"
    # later passes change nothing and never submit again
    dispatch_once(engine, mp_registry, cfg())
    reconcile.reconcile_unknown(engine, mp_registry, cfg())
    reconcile.confirm_sent(engine, mp_registry, cfg())
    assert submits(wechat_emulator) == 2 and pub(engine, pid).state == "confirmed"


def test_a_failed_row_that_was_published_is_confirmed_by_resend_without_a_second_submit(
        engine, world, wechat_emulator, mp_registry, crash_on_submit):
    [pid] = approved_item(engine, world, channels=("mp",), title=TITLE)
    crash_on_submit(after=True)
    with pytest.raises(Crash):
        dispatch_once(engine, mp_registry, cfg(lease_seconds=60))
    with Session(engine) as s:  # what the old reconciliation left: failed, and retry failed at once
        row = s.get(Publication, pid)
        row.state, row.claimed_by, row.last_error = "failed", None, "公众号发布请求已发出但结果未知"
        s.add(row)
        s.commit()
        retry_publication(s, pub_id=pid, actor=s.get(User, world.admin))
        s.commit()
    assert dispatch_once(engine, mp_registry, cfg()).outcomes == {"confirmed": 1}
    assert submits(wechat_emulator) == 1
    assert pub(engine, pid).remote_url == article_url_of_last_job(wechat_emulator)


def test_not_in_the_records_fails_for_a_person_and_resend_submits_exactly_once(engine, world, wechat_emulator,
                                                                                 mp_registry, crash_on_submit):
    [pid] = approved_item(engine, world, channels=("mp",), title=TITLE)
    crash_and_restart(engine, mp_registry, crash_on_submit, after=False)  # the request never left
    assert reconcile.reconcile_unknown(engine, mp_registry, cfg()) == {"failed": 1}
    row = pub(engine, pid)
    assert row.state == "failed" and row.last_error == NOT_IN_RECORDS and submits(wechat_emulator) == 0
    # without a person's decision the row stays failed; 重新发送 looks once more, then submits
    assert dispatch_once(engine, mp_registry, cfg()).claimed == 0
    with Session(engine) as s:
        retry_publication(s, pub_id=pid, actor=s.get(User, world.drafter))
        s.commit()
    assert dispatch_once(engine, mp_registry, cfg()).outcomes == {"sent": 1}
    assert reconcile.confirm_sent(engine, mp_registry, cfg()) == {"confirmed": 1}
    assert submits(wechat_emulator) == 1 and pub(engine, pid).state == "confirmed"
    with Session(engine) as s:
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "publication.retry")).one()
        assert ev.data["resend_after_check"] is True and ev.actor_id == world.drafter


def test_admin_confirms_as_published_with_the_address(engine, world):
    [pid] = approved_item(engine, world, channels=("mp",), title=TITLE)
    with Session(engine) as s:
        row = s.get(Publication, pid)
        row.state, row.last_error = "failed", NOT_IN_RECORDS
        s.add(row)
        s.commit()
        with pytest.raises(Forbidden):
            confirm_publication(s, pub_id=pid, actor=s.get(User, world.drafter), url="https://mp.weixin.qq.com/s/x")
        with pytest.raises(Invalid):
            confirm_publication(s, pub_id=pid, actor=s.get(User, world.admin), url="javascript:alert(1)")
        s.rollback()
        confirm_publication(s, pub_id=pid, actor=s.get(User, world.admin), url="https://mp.weixin.qq.com/s/x")
        s.commit()
        row = s.get(Publication, pid)
        assert row.state == "confirmed" and row.remote_url == "https://mp.weixin.qq.com/s/x" and row.confirmed_at
        assert s.get(Item, row.item_id).state == "published"
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "publication.confirmed_by_person")).one()
        assert ev.actor_id == world.admin and ev.data["previous_state"] == "failed"
        with pytest.raises(Conflict):
            confirm_publication(s, pub_id=pid, actor=s.get(User, world.admin), url="https://mp.weixin.qq.com/s/y")


def test_publications_page_offers_confirm_to_the_admin(engine, world, tmp_path):
    from app.factory import create_app
    from content.settings import Settings

    [pid] = approved_item(engine, world, channels=("mp",), title=TITLE)
    with Session(engine) as s:
        row = s.get(Publication, pid)
        row.state, row.last_error = "failed", NOT_IN_RECORDS
        s.add(row)
        s.commit()
    app = create_app(Settings(database_url=str(engine.url), secret_key="test-secret-key-for-web-0123456789abcdef",
                              files_dir=str(tmp_path / "files")), engine=engine)  # fmt: skip
    with WebClient(app, raise_server_exceptions=False) as c:
        c.page("/login")
        assert c.submit("/login", {"login": "admin", "password": world.password, "next": "/"}).status_code == 303
        page = c.page("/publications")
        assert f'id="btn-confirm-{pid}"' in page.text and f'id="btn-retry-{pid}"' in page.text
        bad = c.submit(f"/publications/{pid}/confirm", {"url": "ftp://x"})
        assert bad.status_code == 422 and "http" in bad.text and pub(engine, pid).state == "failed"
        ok = c.submit(f"/publications/{pid}/confirm", {"url": "https://mp.weixin.qq.com/s/abc"})
        assert ok.status_code == 303 and ok.headers["location"].endswith("done=confirm")
    assert pub(engine, pid).state == "confirmed"
