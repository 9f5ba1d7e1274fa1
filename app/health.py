"""Operations endpoints: /healthz (alive), /readyz (ready to serve), /metrics (Prometheus text).

Everything here reads the database at request time, so any worker answers the same way and a
stopped scheduler shows up on every worker (its heartbeat row goes stale). The only in-process
numbers are the WeChat callback counters, which are per worker and labelled with the worker's pid.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.metrics_text import LATENCY_BUCKETS, render
from app.migrate import current_heads, expected_heads
from scheduler.heartbeat import heartbeat_status as scheduler_heartbeat

router = APIRouter(include_in_schema=False)

CALLBACK_PREFIX = "/wechat/"


class CallbackStats:
    """Per-process counters of WeChat callbacks: result by path and status, latency histogram."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.results: Counter[tuple[str, str, str]] = Counter()
        self.buckets: Counter[tuple[str, float]] = Counter()
        self.sums: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()

    def observe(self, path: str, method: str, status: int, seconds: float) -> None:
        endpoint = path.rstrip("/").rsplit("/", 1)[-1] or "unknown"
        result = "ok" if status < 400 else ("rejected" if status < 500 else "error")
        with self._lock:
            self.results[(endpoint, method, result)] += 1
            self.sums[endpoint] += seconds
            self.counts[endpoint] += 1
            for bound in LATENCY_BUCKETS:
                if seconds <= bound:
                    self.buckets[(endpoint, bound)] += 1


class CallbackTimer:
    """ASGI middleware timing every request under /wechat/ (pure ASGI: no body buffering)."""

    def __init__(self, app: ASGIApp, stats: CallbackStats) -> None:
        self.app = app
        self.stats = stats

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(CALLBACK_PREFIX):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def _send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            self.stats.observe(scope["path"], scope["method"], status, time.perf_counter() - started)


def install(app: FastAPI) -> None:
    """Attach the callback timer; called by create_app through `router` inclusion hook below."""
    if getattr(app.state, "callback_stats", None) is None:
        app.state.callback_stats = CallbackStats()
        app.add_middleware(CallbackTimer, stats=app.state.callback_stats)


# ---------------------------------------------------------------- health and readiness


@router.get("/healthz")
def healthz() -> dict:
    """The process is alive and answering; touches nothing else."""
    return {"status": "ok", "pid": os.getpid()}


def heartbeat_status(engine: Engine, interval: float) -> dict:
    """The scheduler package's own verdict (scheduler.heartbeat), as one /readyz check."""
    with Session(engine) as session:
        status = scheduler_heartbeat(session, interval)
    return {"ok": status.ok, "status": status.status, "age_seconds": status.age_seconds,
            "instances": status.instances, "detail": status.message}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Ready = database reachable, schema at head, scheduler heartbeat fresh. 503 otherwise."""
    engine: Engine = request.app.state.engine
    checks: dict[str, dict] = {}
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = {"ok": True}
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"; no URL in the answer
        checks["database"] = {"ok": False, "detail": f"数据库不可达（{type(exc).__name__}）"}
    if checks["database"]["ok"]:
        have, want = current_heads(engine), expected_heads()
        checks["migrations"] = {"ok": have == want,
                                "detail": "已是最新版本" if have == want else "数据库版本不是最新，请运行 gongkai init"}
        try:
            checks["scheduler"] = heartbeat_status(engine, request.app.state.settings.dispatch_interval_seconds)
        except Exception as exc:  # noqa: BLE001 - a missing table on an old schema, etc.
            checks["scheduler"] = {"ok": False, "detail": f"无法读取调度器心跳（{type(exc).__name__}）"}
    ready = all(c["ok"] for c in checks.values()) and len(checks) == 3
    return JSONResponse({"status": "ready" if ready else "not_ready", "checks": checks},
                        status_code=200 if ready else 503)


@router.get("/metrics")
def metrics(request: Request) -> PlainTextResponse:
    body = render(request.app.state.engine, getattr(request.app.state, "callback_stats", None))
    return PlainTextResponse(body, media_type="text/plain; version=0.0.4; charset=utf-8")
