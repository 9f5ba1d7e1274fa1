"""Serve an ASGI app on a free 127.0.0.1 port from a background thread (uvicorn)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import uvicorn


class LoopbackServer:
    def __init__(self, app, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._app = app
        self._host, self._port = host, port
        self._sock: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._sock is None:
            raise RuntimeError("server not started")
        host, port = self._sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self) -> LoopbackServer:
        # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets whose proto says TCP; without it
        # a response written as headers + body waits ~40 ms for the peer's delayed ACK (Nagle).
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((self._host, self._port))
        config = uvicorn.Config(self._app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        server, sock = self._server, self._sock
        self._thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True, name="bot-loopback"
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("loopback server did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._sock is not None:
            self._sock.close()
        self._server = self._thread = None
