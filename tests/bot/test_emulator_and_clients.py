"""The emulator and the wechatpy adapter: publishing calls, fault injection, token cache and refresh."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session, select
from wechatpy.exceptions import APILimitedException, WeChatClientException

from bot.models import AccessToken
from bot.wechat import api
from bot.wechat.clients import mp_client, wecom_client


def test_publishing_round_trip(emu, engine, settings):
    mp = mp_client(engine, settings)
    thumb, _ = api.add_thumb(mp, "cover.jpg", b"\xff\xd8cover")
    img = api.upload_image(mp, "a.png", b"png-bytes")
    media_id = api.draft_add(mp, [{"title": "标题", "content": f'<img src="{img}">', "thumb_media_id": thumb}])
    publish_id = api.freepublish_submit(mp, media_id)
    status = api.freepublish_get(mp, publish_id)
    assert status["publish_status"] == 0 and status["article_detail"]["item"][0]["article_url"]
    api.freepublish_delete(mp, status["article_id"])
    assert emu.state.articles[status["article_id"]]["deleted"]
    assert [r.endpoint for r in emu.records(api="mp")] == [
        "material/add_material", "media/uploadimg", "draft/add", "freepublish/submit", "freepublish/get",
        "freepublish/delete"]
    assert emu.records(api="mp", endpoint="material/add_material")[0].query["type"] == "thumb"


def test_publish_status_plan_and_injected_errors(emu, engine, settings):
    mp = mp_client(engine, settings)
    thumb, _ = api.add_thumb(mp, "c.jpg", b"x")
    emu.state.publish_plan = [1, 4]
    pid = api.freepublish_submit(mp, api.draft_add(mp, [{"title": "t", "content": "c", "thumb_media_id": thumb}]))
    assert [api.freepublish_get(mp, pid)["publish_status"] for _ in range(3)] == [1, 4, 4]
    emu.fail("draft/add", 45009)
    with pytest.raises(APILimitedException):
        api.draft_add(mp, [{"title": "t", "content": "c", "thumb_media_id": thumb}])
    with pytest.raises(WeChatClientException) as err:
        api.draft_add(mp, [{"title": "t" * 65, "content": "c", "thumb_media_id": thumb}])
    assert err.value.errcode == 45003


def test_token_cached_in_database_and_refreshed_once(emu, engine, settings):
    wc = wecom_client(engine, settings)
    api.send_text(wc, touser="u", content="1")
    api.send_text(wecom_client(engine, settings), touser="u", content="2")  # a second process: same token
    assert len(emu.records(api="wecom", endpoint="gettoken", include_tokens=True)) == 1
    with Session(engine) as s:
        (row,) = s.exec(select(AccessToken)).all()
        assert row.key.startswith("wecom:") and "secret" not in row.key
    emu.expire_tokens()
    api.send_text(wc, touser="u", content="3")  # 42001 → one refresh → retried
    assert len(emu.records(api="wecom", endpoint="gettoken", include_tokens=True)) == 2
    emu.fail("message/send", 40001, times=2, api="wecom")
    with pytest.raises(WeChatClientException) as err:  # a persistent 40001 is refreshed once, not forever
        api.send_text(wc, touser="u", content="4")
    assert err.value.errcode == 40001


def test_records_over_http(emu, engine, settings):
    api.send_text(wecom_client(engine, settings), touser="u", content="hi")
    records = httpx.get(f"{emu.url}/_emulator/records", params={"api": "wecom"}).json()
    assert [r["endpoint"] for r in records] == ["gettoken", "message/send"]
    assert records[0]["query"]["corpsecret"] == "***"
    httpx.post(f"{emu.url}/_emulator/fail", json={"endpoint": "message/send", "errcode": 45009, "api": "wecom"})
    with pytest.raises(APILimitedException):
        api.send_text(wecom_client(engine, settings), touser="u", content="hi")


def test_token_refreshed_by_another_process_is_taken_from_the_database(emu, engine, settings):
    first = wecom_client(engine, settings)
    api.send_text(first, touser="u", content="1")  # gettoken #1; `first` now remembers the token
    emu.expire_tokens()
    api.send_text(wecom_client(engine, settings), touser="u", content="2")  # another process: 42001 → #2
    api.send_text(first, touser="u", content="3")  # its remembered token is refused: the stored one is newer
    assert len(emu.records(api="wecom", endpoint="gettoken", include_tokens=True)) == 2
    sent = [r.json["text"]["content"] for r in emu.records(api="wecom", endpoint="message/send")
            if r.response.get("errcode") == 0]
    assert sent == ["1", "2", "3"]


def test_proxy_environment_is_read_once_and_still_used(monkeypatch, engine, settings, emu):
    """Clients keep honouring HTTP(S)_PROXY / NO_PROXY, read when the client is built, not per call."""
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.town.gov:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    http = wecom_client(engine, settings)._http
    url = f"{emu.wecom_base}/cgi-bin/message/send"
    assert not http.trust_env
    assert http.merge_environment_settings(url, {}, None, None, None)["proxies"]["http"] == "http://proxy.town.gov:3128"
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    http = wecom_client(engine, settings)._http
    assert "http" not in http.merge_environment_settings(url, {}, None, None, None)["proxies"]
