"""Dashboard (heartbeat banner, figures) and the signed mobile preview page, on both databases."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from content import store
from content.models import Item, User
from content.preview import make_preview_token
from content.timeutil import utcnow
from scheduler.models import SchedulerHeartbeat
from tests.web.pages.conftest import HTML

SECRET = "test-secret-key-for-web"


def _beat(engine, age_seconds: float) -> None:
    with Session(engine) as s:
        s.add(SchedulerHeartbeat(instance="test:1", interval_seconds=5.0,
                                 beat_at=utcnow() - timedelta(seconds=age_seconds)))
        s.commit()


def test_stale_or_missing_heartbeat_shows_red_banner(client_for, engine):
    c = client_for("drafter")
    assert 'id="scheduler-banner"' in c.page("/").text  # never ran
    _beat(engine, 600)
    page = c.page("/").text
    assert 'id="scheduler-banner"' in page and "10 分钟" in page


def test_fresh_heartbeat_shows_no_banner_and_charts_are_fed(client_for, engine):
    _beat(engine, 1)
    page = client_for("drafter").page("/").text
    assert 'id="scheduler-banner"' not in page
    assert 'id="figures-data"' in page and '"by_month": [0, 0, 0' in page
    assert "/static/vendor/echarts-6.1.0/echarts.min.js" in page


def _item(engine, world, title="预览稿件"):
    with Session(engine) as s:
        drafter = s.get(User, world.drafter)
        item = store.create_item(s, actor=drafter, data={"title": title, "body_html": "<p>正文<b>加粗</b></p>",
                                                         "topic": "其他", "channels": ["portal"]})
        s.commit()
        return item.id, item.current_revision_id


def test_preview_shows_exactly_the_signed_revision(client_for, engine, world):
    item_id, rev1 = _item(engine, world)
    with Session(engine) as s:
        store.update_item(s, actor=s.get(User, world.drafter), item_id=item_id, changes={"title": "改过的标题"})
        s.commit()
        rev2 = s.get(Item, item_id).current_revision_id
    c = client_for()
    # A link ends when the item is revised (issue 14): the old revision's link no longer opens.
    r = c.get(f"/m/preview/{make_preview_token(SECRET, item_id=item_id, revision_id=rev1)}", headers=HTML)
    assert r.status_code == 403 and "已失效" in r.text and "改过的标题" not in r.text
    r = c.get(f"/m/preview/{make_preview_token(SECRET, item_id=item_id, revision_id=rev2)}")
    assert r.status_code == 200 and "改过的标题" in r.text and "预览稿件" not in r.text
    assert 'name="viewport" content="width=device-width' in r.text


def test_tampered_mismatched_or_expired_preview_is_refused(client_for, engine, world, monkeypatch):
    item_id, rev = _item(engine, world)
    other_id, _ = _item(engine, world, "另一篇")
    c = client_for()
    token = make_preview_token(SECRET, item_id=item_id, revision_id=rev)
    r = c.get(f"/m/preview/{token[:-2]}xx")
    assert r.status_code == 403 and "预览链接无效" in r.text and "<html" in r.text
    r = c.get(f"/m/preview/{make_preview_token(SECRET, item_id=other_id, revision_id=rev)}")
    assert r.status_code == 403
    r = c.get(f"/m/preview/{make_preview_token('another-secret', item_id=item_id, revision_id=rev)}")
    assert r.status_code == 403
    import itsdangerous.timed

    real = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() + 8 * 24 * 3600)
    r = c.get(f"/m/preview/{token}", headers=HTML)
    assert r.status_code == 403 and "预览链接已过期" in r.text
