"""重新发送 on the official account never publishes twice (issue #14): every publish_id the row had is asked about
with freepublish/get before the resend (button time: refused while publishing) and again when the scheduler
sends it; a resend after a failed publication really submits again. Both databases, the WeChat emulator."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.factory import create_app
from channels.mp.mp_resend import CANNOT_CHECK, EARLIER, STILL_PUBLISHING
from content.errors import Conflict
from content.models import Publication, User
from content.publications import RESEND_RISK, retry_publication
from content.settings import Settings
from scheduler import reconcile
from scheduler.dispatch import dispatch_once
from scheduler.resend_guard import resend_guard
from tests.scheduler.helpers import approved_item, cfg, pub
from tests.web.pages.conftest import WebClient

TITLE = "关于开展冬季消防安全检查的通知"
SECRET = "test-secret-key-for-web-0123456789abcdef"


def submits(emulator) -> int:
    return len(emulator.records(endpoint="freepublish/submit"))


def settings_for(engine, emulator, tmp_path) -> Settings:
    return Settings(database_url=str(engine.url), secret_key=SECRET, files_dir=str(tmp_path / "files"),
                    mp_api_base=emulator.mp_base, _env_file=None)


def failed_while_publishing(engine, world, emulator, registry) -> int:
    """A row submitted (publish_id stored) whose publication is still running, recorded as failed — e.g. a
    person gave up on it, or a lookup said so — and now someone wants to send it again."""
    emulator.state.publish_plan = [1]  # freepublish/get keeps answering "publishing"
    [pid] = approved_item(engine, world, channels=("mp",), title=TITLE)
    assert dispatch_once(engine, registry, cfg()).outcomes == {"sent": 1}
    with Session(engine) as s:
        row = s.get(Publication, pid)
        row.state, row.last_error = "failed", "公众号发布失败：未收到结果"
        s.add(row)
        s.commit()
    return pid


def set_status(emulator, publish_id: str, status: int) -> None:
    with emulator.state.lock:
        emulator.state.jobs[publish_id]["statuses"] = [status]


def test_resend_is_refused_while_the_earlier_submit_is_still_publishing(engine, world, wechat_emulator, mp_registry,
                                                                         tmp_path):
    pid = failed_while_publishing(engine, world, wechat_emulator, mp_registry)
    guard = resend_guard(settings_for(engine, wechat_emulator, tmp_path), engine)
    with Session(engine) as s, pytest.raises(Conflict) as refused:
        retry_publication(s, pub_id=pid, actor=s.get(User, world.admin), guard=guard)
    assert refused.value.code == "still_publishing" and refused.value.message == STILL_PUBLISHING
    row = pub(engine, pid)
    assert row.state == "failed" and submits(wechat_emulator) == 1

    set_status(wechat_emulator, row.progress["publish_id"], 0)  # it finished: resending now follows it, once
    with Session(engine) as s:
        retry_publication(s, pub_id=pid, actor=s.get(User, world.admin), guard=guard)
        s.commit()
    assert dispatch_once(engine, mp_registry, cfg()).outcomes == {"confirmed": 1}
    row = pub(engine, pid)
    assert row.state == "confirmed" and row.remote_url.startswith(f"{wechat_emulator.url}/s/")
    assert submits(wechat_emulator) == 1


def test_the_web_page_and_the_api_say_why(engine, world, wechat_emulator, mp_registry, tmp_path):
    pid = failed_while_publishing(engine, world, wechat_emulator, mp_registry)
    app = create_app(settings_for(engine, wechat_emulator, tmp_path), engine=engine)
    with WebClient(app, raise_server_exceptions=False) as c:
        c.page("/login")
        assert c.submit("/login", {"login": "admin", "password": world.password, "next": "/"}).status_code == 303
        c.page("/publications")
        r = c.submit(f"/publications/{pid}/retry")
        assert r.status_code == 409 and STILL_PUBLISHING in r.text
    with TestClient(app) as api:
        token = api.post("/api/v1/auth/token", json={"login": "admin", "password": world.password}).json()["token"]
        r = api.post(f"/api/v1/publications/{pid}/retry", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 409 and r.json()["code"] == "still_publishing" and r.json()["message"] == STILL_PUBLISHING
    assert pub(engine, pid).state == "failed" and submits(wechat_emulator) == 1


def test_a_resend_that_slipped_past_the_check_follows_the_running_publication(engine, world, wechat_emulator,
                                                                               mp_registry):
    pid = failed_while_publishing(engine, world, wechat_emulator, mp_registry)
    first = pub(engine, pid).progress["publish_id"]
    with Session(engine) as s:  # queued without the guard (an older page, a race): the scheduler asks itself
        retry_publication(s, pub_id=pid, actor=s.get(User, world.admin))
        s.commit()
    assert dispatch_once(engine, mp_registry, cfg()).outcomes == {"sent": 1}
    row = pub(engine, pid)
    assert row.state == "sent" and row.remote_id == first and submits(wechat_emulator) == 1
    set_status(wechat_emulator, first, 0)
    assert reconcile.confirm_sent(engine, mp_registry, cfg()) == {"confirmed": 1}
    assert submits(wechat_emulator) == 1


def test_a_resend_after_a_failed_publication_submits_again(engine, world, wechat_emulator, mp_registry, tmp_path):
    wechat_emulator.state.publish_plan = [3]  # 常规失败
    [pid] = approved_item(engine, world, channels=("mp",), title=TITLE)
    dispatch_once(engine, mp_registry, cfg())
    assert reconcile.confirm_sent(engine, mp_registry, cfg()) == {"failed": 1}
    first = pub(engine, pid).progress["publish_id"]
    wechat_emulator.state.publish_plan = [0]
    guard = resend_guard(settings_for(engine, wechat_emulator, tmp_path), engine)
    with Session(engine) as s:  # a failure is final: the check lets it through
        retry_publication(s, pub_id=pid, actor=s.get(User, world.drafter), guard=guard)
        s.commit()
    assert dispatch_once(engine, mp_registry, cfg()).outcomes == {"sent": 1}
    row = pub(engine, pid)
    assert submits(wechat_emulator) == 2 and row.progress[EARLIER] == [first]
    assert row.progress["publish_id"] != first and len(wechat_emulator.records(endpoint="draft/add")) == 2
    assert reconcile.confirm_sent(engine, mp_registry, cfg()) == {"confirmed": 1}


def test_a_status_that_cannot_be_read_refuses_the_resend(engine, world, wechat_emulator, mp_registry, tmp_path):
    pid = failed_while_publishing(engine, world, wechat_emulator, mp_registry)
    wechat_emulator.fail("freepublish/get", -1)
    guard = resend_guard(settings_for(engine, wechat_emulator, tmp_path), engine)
    with Session(engine) as s, pytest.raises(Conflict) as refused:
        retry_publication(s, pub_id=pid, actor=s.get(User, world.admin), guard=guard)
    assert refused.value.message == CANNOT_CHECK and pub(engine, pid).state == "failed"


def test_without_a_publish_id_the_confirm_dialog_states_the_risk(engine, world, wechat_emulator, mp_registry,
                                                                  tmp_path):
    [unanswered] = approved_item(engine, world, channels=("mp",), title=TITLE)
    [plain] = approved_item(engine, world, channels=("mp",), title="另一篇通知")
    with Session(engine) as s:
        for pid, progress in ((unanswered, {"draft": "draft-1", "submit_attempted": True}), (plain, {})):
            row = s.get(Publication, pid)
            row.state, row.progress, row.last_error = "failed", progress, "失败"
            s.add(row)
        s.commit()
    app = create_app(settings_for(engine, wechat_emulator, tmp_path), engine=engine)
    with WebClient(app, raise_server_exceptions=False) as c:
        c.page("/login")
        assert c.submit("/login", {"login": "admin", "password": world.password, "next": "/"}).status_code == 303
        page = c.page("/publications").text
    assert f'id="btn-retry-{unanswered}" data-confirm="{RESEND_RISK}"' in page
    assert f'id="btn-retry-{plain}">' in page
