"""Encrypted `同意 N` WeCom callbacks through uvicorn on loopback, at a fixed arrival rate.

The server is started with `gongkai serve`, as deployed: its web process(es) and the delivery process
it starts beside them (app.delivery_process), whose CPU is counted with the server's. Three shapes are
measured: one web process on the embedded SQLite file (the `make run` install) with everyone bound to
WeCom, so each approval's after-reply work is real (the leader's 待审 card and the drafter's progress
message go to the WeChat emulator, which runs in its own process: it stands for the platform); the
same with only the approver bound (the callback path alone); and the production shape of DESIGN §8 —
PostgreSQL with one worker per core.

The client sends pre-sealed requests on a fixed schedule (open loop: latency counts from the
scheduled send time, so a stalled server cannot hide its queue). Each server first answers WARMUP
callbacks that are not counted: the first requests of a fresh process pay for imports, statement
compilation and the first access token — start-up, not the steady state being measured. The floor,
measured in the same run, is bare wechatpy on the same messages: WeChatCrypto.decrypt_message +
enterprise parse_message + TextReply + encrypt_message, without HTTP or database. Target: p99 < 50 ms
at 200 requests/s.

The table also shows how long after each approval its card and message went out (seconds from the
notification's creation to its send).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from contextlib import AbstractContextManager
from pathlib import Path

from sqlmodel import Session, select
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.parser import parse_message
from wechatpy.replies import TextReply

from benchmarks.bot_load import gongkai_server, load, pct, prepare, settle
from benchmarks.dbs import pg_engine, sqlite_engine
from benchmarks.emulator_process import emulator_process
from bot.config import channel_config
from content.models import Notification, User
from content.review import chain as workflow
from content.settings import Settings
from content.timeutil import utcnow
from sandbox.callback_client import CallbackClient

RATE = 200
LOW_RATE = 20  # a phase below saturation, to show the latency when the server keeps up
WARMUP = 20  # uncounted callbacks (10/s) before the measured phases
TARGET_P99_MS = 50.0
SHAPES = (  # (database, web workers, everyone bound to WeCom, label)
    ("sqlite", 1, True, "1 个 web 进程 + 投递进程，SQLite，每次同意后投递 2 条企业微信消息"),
    ("sqlite", 1, False, "1 个 web 进程，SQLite，只有审核人绑定（无投递，仅回调本身）"),
    ("pg", 2, True, "2 个 web 进程 + 投递进程，PostgreSQL（生产形态），每次同意后投递 2 条消息"),
)
SECRET_ENV = ("GONGKAI_WECOM_CORP_ID", "GONGKAI_WECOM_SECRET", "GONGKAI_MP_APP_ID", "GONGKAI_MP_SECRET",
              "GONGKAI_PORTAL_URL")


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


def _engine(kind: str) -> AbstractContextManager:
    return sqlite_engine() if kind == "sqlite" else pg_engine()


def _shape(kind: str, workers: int, bind_all: bool, emulator_url: str, seconds: int, n_core: int) -> dict | None:
    """One server shape: core reference, then the 20/s and 200/s phases. None when PostgreSQL is absent."""
    n_high, n_low = RATE * seconds, LOW_RATE * seconds
    n_all = n_high + n_low + WARMUP
    with _engine(kind) as engine, tempfile.TemporaryDirectory() as tmp:
        if engine is None:
            return None
        ids = prepare(engine, n_all + n_core, bind_all=bind_all)
        core = _core_only(engine, ids[n_all:])
        db_url = engine.url.render_as_string(hide_password=False)
        engine.dispose()
        env = {**{k: v for k, v in os.environ.items() if k not in SECRET_ENV}, "GONGKAI_DATABASE_URL": db_url,
               "GONGKAI_WECOM_API_BASE": f"{emulator_url}/wecom", "GONGKAI_MP_API_BASE": f"{emulator_url}/mp",
               "GONGKAI_SECRET_KEY": "bench-secret-key", "GONGKAI_SANDBOX": "1"}  # sandbox crypto values, both sides
        cc = CallbackClient(channel_config(Settings(database_url=db_url, sandbox_requested=True, _env_file=None,
                                                    wecom_api_base=f"{emulator_url}/wecom",
                                                    mp_api_base=f"{emulator_url}/mp"), "wecom"))
        sealed = [cc.seal(cc.text("bench-head", f"同意 {item_id}")) for item_id in ids[:n_all]]
        with gongkai_server(env, workers, str(Path(tmp) / "uvicorn.log")) as server:
            load(server.url, sealed[n_high + n_low:], 10)
            settle(server)
            low, low_bodies, _ = load(server.url, sealed[n_high:n_high + n_low], LOW_RATE)
            settle(server)
            cpu0, delivery0 = server.cpu_seconds(), server.cpu_seconds(delivery_only=True)
            high_started = utcnow()
            high, bodies, elapsed = load(server.url, sealed[:n_high], RATE)
            settle(server)
            cpu_ms = (server.cpu_seconds() - cpu0) * 1000 / n_high
            delivery_ms = (server.cpu_seconds(delivery_only=True) - delivery0) * 1000 / n_high
        lags = _delivery_lags(engine, high_started)
    ok = sum(1 for b in bodies + low_bodies if b and cc.reply_text(b).startswith("已同意"))
    return {"floor": _floor(cc, sealed[:n_high]), "high": high, "low": low, "ok": ok, "n": n_high + n_low,
            "rate": n_high / elapsed, "cpu_ms": cpu_ms, "delivery_ms": delivery_ms, "core": core, "lags": lags}


def _delivery_lags(engine, since) -> list[float]:
    """Seconds from each approval's notification (the leader's card, the drafter's message) to its send."""
    with Session(engine) as s:
        rows = s.exec(select(Notification.created_at, Notification.sent_at)
                      .where(Notification.created_at >= since, Notification.state == "sent")).all()
    return [(sent - created).total_seconds() for created, sent in rows]


def _rows(label: str, m: dict) -> list[dict]:
    floor, high, low = m["floor"], m["high"], m["low"]
    floor_p50, floor_p99 = statistics.median(floor), pct(floor, 0.99)
    floor_name = "纯 wechatpy 解密+解析+加密 p99（同批消息）"
    all_ok = m["ok"] == m["n"]
    return [
        {"name": f"加密“同意 N”回调 p99，{RATE} 请求/秒（{label}；{m['ok']}/{m['n']} 条同意成功）",
         "figure": round(pct(high, 0.99), 2), "unit": "ms", "floor": round(floor_p99, 3), "floor_name": floor_name,
         "target": f"< {TARGET_P99_MS:g} ms", "met": pct(high, 0.99) < TARGET_P99_MS and all_ok},
        {"name": f"  同上 p50（{label}）", "figure": round(statistics.median(high), 2), "unit": "ms",
         "floor": round(floor_p50, 3), "floor_name": "纯 wechatpy p50", "target": "—", "met": None},
        {"name": f"  回调吞吐，到达率 {RATE}/秒（{label}）", "figure": round(m["rate"], 1), "unit": "请求/秒",
         "floor": round(1000 / floor_p50, 0), "floor_name": "纯 wechatpy 单核条/秒", "target": f">= {RATE}",
         "met": m["rate"] >= RATE * 0.95},
        {"name": f"  p99，{LOW_RATE} 请求/秒（未饱和；{label}）", "figure": round(pct(low, 0.99), 2), "unit": "ms",
         "floor": round(floor_p99, 3), "floor_name": floor_name, "target": f"< {TARGET_P99_MS:g} ms",
         "met": pct(low, 0.99) < TARGET_P99_MS},
        {"name": f"  服务端 CPU/回调，含投递进程发送卡片与通知（{label}）", "figure": round(m["cpu_ms"], 2),
         "unit": "ms", "floor": round(floor_p50, 3), "floor_name": "纯 wechatpy p50", "target": "—", "met": None},
        {"name": f"    其中投递进程（{label}）", "figure": round(m["delivery_ms"], 2), "unit": "ms",
         "floor": None, "floor_name": "—", "target": "—", "met": None},
        *([{"name": f"  投递延迟 p99：同意后卡片与消息发出（{label}；{len(m['lags'])} 条）",
            "figure": round(pct(m["lags"], 0.99), 2), "unit": "s", "floor": None, "floor_name": "—",
            "target": "—", "met": None}] if m["lags"] else []),
        {"name": f"  参考：核心 apply_action(approve)+提交 p50（{label}）",
         "figure": round(statistics.median(m["core"]), 2), "unit": "ms", "floor": round(floor_p50, 3),
         "floor_name": "纯 wechatpy p50", "target": "—", "met": None},
    ]


def run(quick: bool) -> list[dict]:
    seconds, n_core = (2, 20) if quick else (10, 100)
    rows: list[dict] = []
    with emulator_process() as emulator_url:
        for kind, workers, bind_all, label in SHAPES:
            measured = _shape(kind, workers, bind_all, emulator_url, seconds, n_core)
            if measured is None:
                rows.append({"name": f"加密“同意 N”回调（{label}）", "target": "PostgreSQL 不可用，未测", "met": None})
                continue
            rows.extend(_rows(label, measured))
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
