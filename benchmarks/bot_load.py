"""Pieces of the callback benchmark: the seeded database, the uvicorn server, the open-loop load.

The seeded state is what a town has when leaders approve: every staff member bound to WeCom, items
waiting at the department head's gate, and their 待审 cards already delivered (they went out when the
items were submitted, before the measured window).
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
import psutil
from sqlalchemy import update
from sqlmodel import Session

from content import accounts, store
from content.models import Notification, User
from content.review import chain as workflow
from content.seed import seed_org
from content.timeutil import utcnow

BODY = "<p>镇政府召开安全生产工作会议，部署下一阶段重点工作。</p>"


def prepare(engine, n: int, *, bind_all: bool = True) -> list[int]:
    """n items submitted by the drafter and waiting for the head ("bench-head"); returns their ids.

    `bind_all=False` binds only the head, so an approval sends nothing (the leader and the drafter
    read their notifications in the web UI): the callback path alone.
    """
    with Session(engine) as s:
        org, _ = seed_org(s, code="bench", name="基准镇")
        accounts.create_department(s, org_id=org.id, name="党政办")
        people = {}
        for login, name, roles, extra in (("d", "拟稿人", "drafter", {"department": "党政办"}),
                                          ("h", "负责人", "dept_head", {"department": "党政办"}),
                                          ("l", "分管领导", "leader", {"oversees": ["党政办"]})):
            people[login] = accounts.create_user(s, org_id=org.id, login=login, name=name,
                                                 password="pass-word-123", roles=roles, **extra)
        bound = (("d", "bench-drafter"), ("h", "bench-head"), ("l", "bench-leader")) if bind_all else (("h", "bench-head"),)
        for login, userid in bound:
            people[login].wecom_userid = userid
            s.add(people[login])
        s.commit()
        drafter = s.get(User, people["d"].id)
        ids = []
        for i in range(n):
            item = store.create_item(s, actor=drafter, data={
                "title": f"基准稿件 {i}", "digest": "摘要", "body_html": BODY, "topic": "其他", "area": "安全生产",
                "channels": ["portal"], "publish_at": None})
            workflow.apply_action(s, item_id=item.id, actor=drafter, action="submit")
            ids.append(item.id)
            if i % 200 == 199:
                s.commit()
        s.execute(update(Notification).values(state="sent", sent_at=utcnow()))  # delivered at submit time
        s.commit()
        return ids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    proc: subprocess.Popen

    def cpu_seconds(self, *, delivery_only: bool = False) -> float:
        """User + system CPU so far of the server and its child processes (web workers, delivery), or of
        its delivery process alone."""
        root = psutil.Process(self.proc.pid)
        total = 0.0
        for p in [root, *root.children(recursive=True)]:
            try:
                if delivery_only and "app.delivery_process" not in p.cmdline():
                    continue
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return total


@contextmanager
def gongkai_server(env: dict[str, str], workers: int, log_path: str) -> Iterator[Server]:
    port = free_port()
    with open(log_path, "wb") as log:
        gongkai = str(Path(sys.executable).with_name("gongkai"))  # the deployment's own command
        proc = subprocess.Popen([gongkai, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
                                env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            server = Server(f"http://127.0.0.1:{port}", proc)
            _wait_ready(server, workers)
            yield server
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def _wait_ready(server: Server, workers: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError("uvicorn exited")
        try:
            healthy = httpx.get(f"{server.url}/healthz", timeout=1).status_code < 500
            if healthy and (workers == 1 or len(psutil.Process(server.proc.pid).children()) >= workers):
                time.sleep(0.5 * workers)  # every worker has imported the app
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("uvicorn did not start")


def load(url: str, sealed: list[tuple[dict, bytes]], rate: int) -> tuple[list[float], list[bytes], float]:
    """Open loop: request i is due at start + i/rate; its latency counts from that moment."""
    return asyncio.run(_load(url, sealed, rate))


MAX_CONNECTIONS = 256


def _raw_request(host: str, params: dict, body: bytes) -> bytes:
    path = "/wechat/work?" + urlencode(params)
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/xml\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def _exchange(conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], raw: bytes) -> tuple[int, bytes]:
    reader, writer = conn
    writer.write(raw)
    status = int((await reader.readline()).split()[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def _load(url: str, sealed: list[tuple[dict, bytes]], rate: int) -> tuple[list[float], list[bytes], float]:
    """A lean HTTP/1.1 client on asyncio streams (pre-built requests, kept-alive connections, at most
    MAX_CONNECTIONS): a general-purpose async client spends more CPU per request than the server
    once a queue builds, and on a 2-core machine that CPU is taken from the server being measured."""
    host_port = urlsplit(url).netloc
    host, port = host_port.rsplit(":", 1)
    raws = [_raw_request(host_port, params, body) for params, body in sealed]
    latencies: list[float] = [0.0] * len(sealed)
    bodies: list[bytes] = [b""] * len(sealed)
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    slots = asyncio.Semaphore(MAX_CONNECTIONS)
    start = time.perf_counter() + 0.05

    async def one(i: int, raw: bytes) -> None:
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        async with slots:
            for attempt in range(2):  # a kept-alive connection the server closed meanwhile: once more, fresh
                conn = None
                try:
                    conn = idle.pop() if idle and attempt == 0 else await asyncio.open_connection(host, int(port))
                    status, body = await _exchange(conn, raw)
                except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
                    if conn is not None:
                        conn[1].close()  # after the fresh attempt too: a failure, bodies[i] stays empty
                    continue
                bodies[i] = body if status == 200 else b""
                idle.append(conn)
                break
        latencies[i] = (time.perf_counter() - due) * 1000

    await asyncio.gather(*(one(i, raw) for i, raw in enumerate(raws)))
    elapsed = time.perf_counter() - start
    for _, writer in idle:
        writer.close()
    return latencies, bodies, elapsed


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def settle(server: Server, seconds: float = 15.0) -> None:
    """Wait until the after-reply deliveries have drained (server CPU idle for a moment)."""
    deadline = time.monotonic() + seconds
    last = server.cpu_seconds()
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = server.cpu_seconds()
        if now - last < 0.02:
            return
        last = now
