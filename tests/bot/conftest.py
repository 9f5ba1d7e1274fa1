"""Bot fixtures: the emulator, a sandbox-mode app on the `engine` fixture, encrypted-traffic helpers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func
from sqlmodel import Session, select

from app.factory import create_app
from bot.config import channel_config
from bot.models import BindingCode, InboundMessage, PendingReason
from content.models import AuditEvent, Item, Notification, ReviewStep, User
from content.settings import Settings
from sandbox import WeChatEmulator
from sandbox.callback_client import CallbackClient

PATHS = {"wecom": "/wechat/work", "mp": "/wechat/mp"}


@pytest.fixture(scope="session")
def emulator():
    with WeChatEmulator() as emu:
        yield emu


@pytest.fixture
def emu(emulator):
    emulator.reset()
    return emulator


@pytest.fixture
def settings(emu, db_url) -> Settings:
    return Settings(database_url=db_url, wecom_api_base=emu.wecom_base, mp_api_base=emu.mp_base,
                    public_url="http://gongkai.test", secret_key=SecretStr("bot-test-secret"))


@pytest.fixture
def client(settings, engine, world):
    with TestClient(create_app(settings, engine=engine)) as c:
        yield c


@dataclass
class Chat:
    """Sends encrypted callbacks as a given sender; returns (status, reply text)."""

    client: TestClient
    settings: Settings
    channel: str = "wecom"

    @property
    def cc(self) -> CallbackClient:
        return CallbackClient(channel_config(self.settings, self.channel))

    def post(self, params: dict, body: bytes):
        return self.client.post(PATHS[self.channel], params=params, content=body)

    def send_xml(self, inner: str, **seal_kw) -> tuple[int, str]:
        res = self.post(*self.cc.seal(inner, **seal_kw))
        if res.status_code != 200 or res.content in (b"", b"success"):
            return res.status_code, res.text if res.status_code != 200 else ""
        return 200, self.cc.reply_text(res.content)

    def say(self, sender: str, text: str, **kw) -> str:
        status, reply = self.send_xml(self.cc.text(sender, text, **kw))
        assert status == 200, reply
        return reply


@pytest.fixture
def chat(client, settings) -> Chat:
    return Chat(client, settings, "wecom")


@pytest.fixture
def mp_chat(client, settings) -> Chat:
    return Chat(client, settings, "mp")


def bind(engine, user_id: int, *, wecom: str | None = None, mp: str | None = None) -> None:
    with Session(engine) as s:
        user = s.get(User, user_id)
        user.wecom_userid, user.mp_openid = wecom, mp
        s.add(user)
        s.commit()


def snapshot(engine) -> dict:
    """Row counts and item states: equal before/after means a refused request changed nothing."""
    with Session(engine) as s:
        counts = {m.__name__: s.exec(select(func.count()).select_from(m)).one()
                  for m in (InboundMessage, AuditEvent, Notification, BindingCode, PendingReason)}
        counts["items"] = [(i.id, i.state, i.gate, i.version) for i in s.exec(select(Item).order_by(Item.id))]
        counts["steps"] = [(r.id, r.decision) for r in s.exec(select(ReviewStep).order_by(ReviewStep.id))]
        counts["users"] = [(u.id, u.wecom_userid, u.mp_openid) for u in s.exec(select(User).order_by(User.id))]
        return counts
