"""Loopback emulator of the WeCom group robot webhook (群机器人): `POST /cgi-bin/webhook/send?key=…`.

It records every message, enforces WeCom's limit of 20 messages a minute per robot key (errcode
45009, nothing recorded as delivered), and answers 93000 for revoked or unknown keys, as WeCom
does when a robot was removed from its group. The clock is injectable so tests can drive time.

Two ways to run it, one behaviour:
- `RobotEmulator().start()` serves it on a free 127.0.0.1 port (tests, `gongkai run` sandbox);
- `robot_router(state)` mounts it inside another FastAPI app, e.g. under `/sandbox/wecom-robot`.
In sandbox mode the settings page accepts its URLs (`http://127.0.0.1:PORT/…/cgi-bin/webhook/send?key=`).
"""

from __future__ import annotations

import functools
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

RATE_LIMIT = 20  # messages per key per WINDOW seconds
WINDOW = 60.0
ERR_FREQ = 45009  # "api freq out of limit"
ERR_INVALID_KEY = 93000  # "invalid webhook url"
ERR_BAD_JSON = 40001  # kept close to WeCom: malformed request body
ERR_BAD_MSGTYPE = 40008
ERR_EMPTY = 44004
MSG_TYPES = {"text", "markdown", "markdown_v2", "news", "image", "file", "template_card"}
KEY_RE = re.compile(r"^[0-9a-fA-F-]{36}$")


@dataclass
class RobotMessage:
    key: str
    msgtype: str
    body: dict[str, Any]
    at: float
    errcode: int

    @property
    def delivered(self) -> bool:
        return self.errcode == 0


@dataclass
class RobotState:
    """What the emulator remembers. Thread-safe; `clock` returns seconds (time.time by default)."""

    clock: Callable[[], float] = time.time
    open_keys: bool = True  # any well-formed key is a live robot unless revoked
    keys: set[str] = field(default_factory=set)
    revoked: set[str] = field(default_factory=set)
    messages: list[RobotMessage] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def new_key(self) -> str:
        key = str(uuid.uuid4())
        with self.lock:
            self.keys.add(key)
        return key

    def revoke(self, key: str) -> None:
        with self.lock:
            self.revoked.add(key)

    def delivered(self, key: str | None = None) -> list[RobotMessage]:
        with self.lock:
            return [m for m in self.messages if m.delivered and (key is None or m.key == key)]

    def rejected(self, errcode: int | None = None) -> list[RobotMessage]:
        with self.lock:
            return [m for m in self.messages if not m.delivered and errcode in (None, m.errcode)]

    def max_per_window(self, key: str) -> int:
        """The most messages delivered to `key` within any WINDOW-second span (for assertions)."""
        times = sorted(m.at for m in self.delivered(key))
        best, start = 0, 0
        for end, t in enumerate(times):
            while t - times[start] >= WINDOW:
                start += 1
            best = max(best, end - start + 1)
        return best

    def handle(self, key: str | None, payload: Any) -> dict:
        """One webhook call: the JSON answer WeCom would give."""
        with self.lock:
            now = self.clock()
            if not key or not KEY_RE.match(key) or key in self.revoked or not (self.open_keys or key in self.keys):
                return self._answer(key or "", payload, now, ERR_INVALID_KEY, "invalid webhook url")
            if not isinstance(payload, dict):
                return self._answer(key, payload, now, ERR_BAD_JSON, "invalid json")
            msgtype = payload.get("msgtype")
            if msgtype not in MSG_TYPES:
                return self._answer(key, payload, now, ERR_BAD_MSGTYPE, "invalid message type")
            if not payload.get(msgtype):
                return self._answer(key, payload, now, ERR_EMPTY, "empty content")
            recent = [m for m in self.messages if m.key == key and m.delivered and now - m.at < WINDOW]
            if len(recent) >= RATE_LIMIT:
                return self._answer(key, payload, now, ERR_FREQ, "api freq out of limit")
            return self._answer(key, payload, now, 0, "ok")

    def _answer(self, key: str, payload: Any, now: float, errcode: int, errmsg: str) -> dict:
        msgtype = payload.get("msgtype", "") if isinstance(payload, dict) else ""
        body = payload if isinstance(payload, dict) else {}
        self.messages.append(RobotMessage(key=key, msgtype=str(msgtype), body=body, at=now, errcode=errcode))
        return {"errcode": errcode, "errmsg": errmsg}


def robot_router(state: RobotState) -> APIRouter:
    router = APIRouter()

    @router.post("/cgi-bin/webhook/send", include_in_schema=False)
    async def send(request: Request, key: str | None = None) -> JSONResponse:
        try:
            payload = await request.json()
        except ValueError:
            payload = None
        return JSONResponse(state.handle(key, payload))

    @router.get("/cgi-bin/webhook/_messages", include_in_schema=False)
    def messages(key: str | None = None) -> JSONResponse:
        """Sandbox helper (not a WeCom API): what the robots received, newest last."""
        rows = [{"key": m.key[-4:], "msgtype": m.msgtype, "body": m.body, "at": m.at, "errcode": m.errcode}
                for m in state.messages if key is None or m.key == key]
        return JSONResponse(rows)

    return router


@functools.cache
def shared_robot_state() -> RobotState:
    """The state behind `/sandbox/wecom-robot` inside `gongkai run` (one per process, like the other emulators)."""
    return RobotState()


SANDBOX_PREFIX = "/sandbox/wecom-robot"  # mount: app.include_router(robot_router(shared_robot_state()), prefix=…)


class RobotEmulator:
    """The emulator as a real HTTP server on 127.0.0.1 (a free port)."""

    def __init__(self, state: RobotState | None = None) -> None:
        self.state = state or RobotState()
        app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
        app.include_router(robot_router(self.state))
        from sandbox.server import LoopbackServer

        self._server = LoopbackServer(app)

    def start(self) -> RobotEmulator:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    @property
    def base_url(self) -> str:
        return self._server.url

    def webhook_url(self, key: str | None = None) -> str:
        return f"{self.base_url}/cgi-bin/webhook/send?key={key or self.state.new_key()}"

    def __enter__(self) -> RobotEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
