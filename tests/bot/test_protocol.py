"""Protocol and bad input: 403 for identity problems, 400 for garbage, never 500, nothing changes."""

from __future__ import annotations

import base64
import time

import pytest

from bot.callbacks.crypto import sign
from bot.callbacks.routes import MAX_CALLBACK_BYTES
from tests.bot.conftest import bind, snapshot
from tests.content.helpers import act, make_item

OTHER_KEY = base64.b64encode(b"k" * 32).decode().rstrip("=")


@pytest.fixture
def pending_item(engine, world):
    bind(engine, world.head_a, wecom="head-a", mp="openid-head-a")
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    return item_id


def _approve(chat, item_id):
    return chat.cc.text("head-a" if chat.channel == "wecom" else "openid-head-a", f"同意 {item_id}")


@pytest.mark.parametrize("channel", ["wecom", "mp"])
def test_identity_problems_are_403_and_change_nothing(request, engine, pending_item, channel):
    chat = request.getfixturevalue("chat" if channel == "wecom" else "mp_chat")
    inner = _approve(chat, pending_item)
    cases = {
        "wrong signature": chat.cc.seal(inner, token="not-the-token"),
        "timestamp 6 minutes old": chat.cc.seal(inner, timestamp=int(time.time()) - 360),
        "timestamp 6 minutes ahead": chat.cc.seal(inner, timestamp=int(time.time()) + 360),
        "wrong corp/app id": chat.cc.seal(inner, receive_id="ww-someone-else"),
    }
    before = snapshot(engine)
    for name, (params, body) in cases.items():
        res = chat.post(params, body)
        assert res.status_code == 403, name
        assert res.json()["code"] and res.json()["message"], name
    missing = chat.post({}, chat.cc.seal(inner)[1])
    assert missing.status_code == 403
    assert snapshot(engine) == before


def test_wrong_agent_id_is_403(chat, engine, pending_item):
    params, body = chat.cc.seal(_approve(chat, pending_item).replace("<AgentID>1000002<", "<AgentID>999<"))
    before = snapshot(engine)
    assert chat.post(params, body).status_code == 403
    assert snapshot(engine) == before


def _signed(chat, encrypted: str) -> tuple[dict, bytes]:
    return chat.cc.seal("", encrypted=encrypted)


GARBAGE_CODES = {
    "bad base64": "bad_base64", "wrong block length": "bad_block_length", "wrong key": ("bad_padding", "bad_payload"),
    "truncated ciphertext": ("bad_padding", "bad_payload"), "truncated inner xml": "bad_xml",
    "entities in inner xml": "xml_entities", "inner xml without sender": "incomplete_message", "inner not xml": "bad_xml",
}


def _as_tuple(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def expected_code(name: str):
    return GARBAGE_CODES[name]


@pytest.mark.parametrize("channel", ["wecom", "mp"])
def test_garbage_is_400_never_500_and_changes_nothing(request, engine, pending_item, channel):
    chat = request.getfixturevalue("chat" if channel == "wecom" else "mp_chat")
    good = chat.cc.encrypt(_approve(chat, pending_item))
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
              "<xml><ToUserName>a</ToUserName><FromUserName>head-a</FromUserName><MsgType>text</MsgType>"
              "<Content>&lol2;</Content><MsgId>1</MsgId></xml>")
    cases = {
        "bad base64": _signed(chat, "!!!not base64!!!"),
        "wrong block length": _signed(chat, base64.b64encode(b"x" * 20).decode()),
        "wrong key": _signed(chat, chat.cc.encrypt(_approve(chat, pending_item), aes_key=OTHER_KEY)),
        "truncated ciphertext": _signed(chat, base64.b64encode(base64.b64decode(good)[:-16]).decode()),
        "truncated inner xml": chat.cc.seal(_approve(chat, pending_item)[:-20]),
        "entities in inner xml": chat.cc.seal(laughs),
        "inner xml without sender": chat.cc.seal("<xml><MsgType>text</MsgType></xml>"),
        "inner not xml": chat.cc.seal("同意 1"),
    }
    before = snapshot(engine)
    for name, (params, body) in cases.items():
        res = chat.post(params, body)
        assert res.status_code == 400, (name, res.status_code, res.text)
        assert res.json()["code"] in _as_tuple(expected_code(name)), (name, res.json())
    # Outer envelope problems (signature computed over whatever Encrypt is there).
    ts, nonce = str(int(time.time())), "n1"
    outer_cases = {
        "truncated outer xml": b"<xml><Encrypt><![CDATA[abc",
        "billion laughs outer": (b'<!DOCTYPE x [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                                 b"<xml><Encrypt>&b;</Encrypt></xml>"),
        "no Encrypt": b"<xml><Content>plain</Content></xml>",
        "oversize body": b"<xml><Encrypt>" + b"A" * (MAX_CALLBACK_BYTES + 10) + b"</Encrypt></xml>",
    }
    for name, body in outer_cases.items():
        params = {"msg_signature": sign(chat.cc.cfg.token, ts, nonce, "abc"), "timestamp": ts,
                  "nonce": nonce, "encrypt_type": "aes"}
        res = chat.post(params, body)
        assert res.status_code == 400, (name, res.status_code, res.text)
    assert snapshot(engine) == before


def test_mp_plaintext_mode_refused(mp_chat, engine, pending_item):
    params, body = mp_chat.cc.seal(_approve(mp_chat, pending_item))
    params["encrypt_type"] = "raw"
    assert mp_chat.post(params, body).status_code == 400


def test_url_verification(chat, mp_chat):
    cc = chat.cc
    ts, nonce = str(int(time.time())), "abc"
    echo = cc.encrypt("echo-12345")
    ok = chat.client.get("/wechat/work", params={"msg_signature": sign(cc.cfg.token, ts, nonce, echo),
                                                 "timestamp": ts, "nonce": nonce, "echostr": echo})
    assert ok.status_code == 200 and ok.text == "echo-12345"
    bad = chat.client.get("/wechat/work", params={"msg_signature": "0" * 40, "timestamp": ts, "nonce": nonce,
                                                  "echostr": echo})
    assert bad.status_code == 403
    mcc = mp_chat.cc
    ok = mp_chat.client.get("/wechat/mp", params={"signature": sign(mcc.cfg.token, ts, nonce), "timestamp": ts,
                                                  "nonce": nonce, "echostr": "hello"})
    assert ok.status_code == 200 and ok.text == "hello"
    stale = str(int(time.time()) - 3600)
    assert mp_chat.client.get("/wechat/mp", params={"signature": sign(mcc.cfg.token, stale, nonce),
                                                    "timestamp": stale, "nonce": nonce, "echostr": "x"}).status_code == 403
