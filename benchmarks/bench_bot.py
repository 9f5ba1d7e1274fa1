"""Encrypted `同意 N` WeCom callbacks through uvicorn on loopback, at a fixed arrival rate.

The server is `uvicorn app.asgi:app` in its own process (SQLite file, sandbox crypto, notifications
delivered to the WeChat emulator after each reply, as in production). The client sends pre-sealed
requests on a fixed schedule (open loop: latency counts from the scheduled send time, so a stalled
server cannot hide its queue). The floor, measured in the same run, is bare wechatpy on the same
messages: WeChatCrypto.decrypt_message + enterprise parse_message + TextReply + encrypt_message,
without HTTP or database. Target: p99 < 50 ms at 200 requests/s.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlmodel import Session, select
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.parser import parse_message
from wechatpy.replies import TextReply

from app.migrate import upgrade
from app.settings import Settings
from bot.config import channel_config
from bot.sandbox import WeChatEmulator
from bot.sandbox.callback_client import CallbackClient
from content import accounts, store, workflow
from content.db import make_engine
from content.models import User
from content.seed import seed_org

RATE = 200
LOW_RATE = 20  # a second phase below saturation, to show the latency when the server keeps up
TARGET_P99_MS = 50.0
BODY = "<p>镇政府召开安全生产工作会议，部署下一阶段重点工作。</p>"


def _prepare(engine, n: int) -> list[int]:
    with Session(engine) as s:
        org, _ = seed_org(s, code="bench", name="基准镇")
        accounts.create_department(s, org_id=org.id, name="党政办")
        drafter = accounts.create_user(s, org_id=org.id, login="d", name="拟稿人", password="pass-word-123",
                                       roles="drafter", department="党政办")
        head = accounts.create_user(s, org_id=org.id, login="h", name="负责人", password="pass-word-123",
                                    roles="dept_head", department="党政办")
        accounts.create_user(s, org_id=org.id, login="l", name="分管领导", password="pass-word-123",
                             roles="leader", oversees=["党政办"])
        head.wecom_userid = "bench-head"
        s.add(head)
        s.commit()
        ids = []
        for i in range(n):
            item = store.create_item(s, actor=drafter, data={
                "title": f"基准稿件 {i}", "digest": "摘要", "body_html": BODY, "topic": "其他", "area": "安全生产",
                "channels": ["portal"], "publish_at": None})
            workflow.apply_action(s, item_id=item.id, actor=s.get(User, drafter.id), action="submit")
            ids.append(item.id)
        s.commit()
        return ids


def _floor(cc: CallbackClient, sealed: list[tuple[dict, bytes]]) -> list[float]:
    cfg = cc.cfg
    crypto = WeChatCrypto(cfg.token, cfg.aes_key, cfg.receive_id)
    out = []
    for params, body in sealed:
        t = time.perf_counter()
        xml = crypto.decrypt_message(body, params["msg_signature"], params["timestamp"], params["nonce"])
        msg = parse_message(xml)
        reply = TextReply(message=msg, content=f"已同意 {msg.content}").render()
        crypto.encrypt_message(reply, params["nonce"])
        out.append((time.perf_counter() - t) * 1000)
    return out


async def _load(url: str, sealed: list[tuple[dict, bytes]], rate: int) -> tuple[list[float], list[bytes], float]:
    latencies: list[float] = [0.0] * len(sealed)
    bodies: list[bytes] = [b""] * len(sealed)
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=300) as client:
        start = time.perf_counter() + 0.05

        async def one(i: int, params: dict, body: bytes) -> None:
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            try:
                res = await client.post("/wechat/work", params=params, content=body)
                bodies[i] = res.content if res.status_code == 200 else b""
            except httpx.HTTPError:
                bodies[i] = b""  # counted as a failure below
            latencies[i] = (time.perf_counter() - due) * 1000

        await asyncio.gather(*(one(i, p, b) for i, (p, b) in enumerate(sealed)))
        elapsed = time.perf_counter() - start
    return latencies, bodies, elapsed


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def _wait_ready(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("uvicorn exited")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("uvicorn did not start")


def _core_only(engine, ids: list[int]) -> list[float]:
    """Reference: the core's apply_action("approve") + commit alone (no HTTP, crypto or bot)."""
    out = []
    with Session(engine) as s:
        head = s.exec(select(User).where(User.login == "h")).one()
        for item_id in ids:
            t = time.perf_counter()
            workflow.apply_action(s, item_id=item_id, actor=head, action="approve", channel="wecom")
            s.commit()
            out.append((time.perf_counter() - t) * 1000)
    return out


def run(quick: bool) -> list[dict]:
    seconds = 2 if quick else 10
    n_high, n_low, n_core = RATE * seconds, LOW_RATE * seconds, 20 if quick else 100
    with tempfile.TemporaryDirectory() as tmp, WeChatEmulator() as emu:
        db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(db_url)
        upgrade(engine)
        ids = _prepare(engine, n_high + n_low + n_core)
        core = _core_only(engine, ids[n_high + n_low:])
        engine.dispose()
        env = {**os.environ, "GONGKAI_DATABASE_URL": db_url, "GONGKAI_WECOM_API_BASE": emu.wecom_base,
               "GONGKAI_MP_API_BASE": emu.mp_base, "GONGKAI_SECRET_KEY": "bench-secret-key"}
        for name in ("GONGKAI_WECOM_CORP_ID", "GONGKAI_WECOM_SECRET", "GONGKAI_MP_APP_ID", "GONGKAI_MP_SECRET",
                     "GONGKAI_PORTAL_URL"):
            env.pop(name, None)  # sandbox crypto values on both sides
        settings = Settings(database_url=db_url, _env_file=None)
        cc = CallbackClient(channel_config(settings, "wecom"))
        sealed = [cc.seal(cc.text("bench-head", f"同意 {item_id}")) for item_id in ids[: n_high + n_low]]
        floor = _floor(cc, sealed)
        port = _free_port()
        log = open(Path(tmp) / "uvicorn.log", "wb")  # noqa: SIM115 - closed with the directory
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.asgi:app", "--host", "127.0.0.1",
                                 "--port", str(port), "--log-level", "warning", "--no-access-log"],
                                env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_ready(url, proc)
            low, low_bodies, _ = asyncio.run(_load(url, sealed[n_high:], LOW_RATE))
            time.sleep(1)  # let the after-reply deliveries drain
            high, bodies, elapsed = asyncio.run(_load(url, sealed[:n_high], RATE))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            log.close()
            server_log = (Path(tmp) / "uvicorn.log").read_text(errors="replace")[-2000:]
            if server_log.strip() and "--quick" in sys.argv:
                print(server_log)
    ok = sum(1 for b in bodies + low_bodies if b and cc.reply_text(b).startswith("已同意"))
    floor_p50, floor_p99 = statistics.median(floor), _pct(floor, 0.99)
    p99, low_p99 = _pct(high, 0.99), _pct(low, 0.99)
    achieved = n_high / elapsed
    floor_name = "纯 wechatpy 解密+解析+加密 p99（同批消息）"
    note = f"{ok}/{n_high + n_low} 条同意成功，uvicorn 单进程，SQLite"
    return [
        {"name": f"加密“同意 N”回调 p99，{RATE} 请求/秒（{note}）", "figure": round(p99, 2), "unit": "ms",
         "floor": round(floor_p99, 3), "floor_name": floor_name, "target": f"< {TARGET_P99_MS:g} ms",
         "met": p99 < TARGET_P99_MS and ok == n_high + n_low},
        {"name": f"加密“同意 N”回调 p50，{RATE} 请求/秒", "figure": round(statistics.median(high), 2), "unit": "ms",
         "floor": round(floor_p50, 3), "floor_name": "纯 wechatpy p50", "target": "—", "met": None},
        {"name": f"回调吞吐（到达率 {RATE}/秒）", "figure": round(achieved, 1), "unit": "请求/秒",
         "floor": round(1000 / floor_p50, 0), "floor_name": "纯 wechatpy 单核条/秒", "target": f">= {RATE}",
         "met": achieved >= RATE * 0.95},
        {"name": f"加密“同意 N”回调 p99，{LOW_RATE} 请求/秒（未饱和）", "figure": round(low_p99, 2), "unit": "ms",
         "floor": round(floor_p99, 3), "floor_name": floor_name, "target": f"< {TARGET_P99_MS:g} ms",
         "met": low_p99 < TARGET_P99_MS},
        {"name": "参考：核心 apply_action(approve)+提交 p50（无 HTTP、无加密、无机器人）",
         "figure": round(statistics.median(core), 2), "unit": "ms", "floor": round(floor_p50, 3),
         "floor_name": "纯 wechatpy p50", "target": f"<= {1000 / RATE:g} ms 才可能单进程 {RATE}/秒", "met": None},
    ]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
