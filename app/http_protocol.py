"""uvicorn's HTTP protocol with TCP_NODELAY set on every accepted connection.

asyncio sets TCP_NODELAY only on sockets whose `proto` is IPPROTO_TCP, and the listening socket that
uvicorn binds for `--workers N` is created with proto 0; its connections then keep Nagle's algorithm,
and a response written as headers + body waits for the peer's delayed ACK (~40 ms on Linux) on every
kept-alive connection — nginx's upstream connections included. `gongkai serve` and `gongkai run`
pass this class as uvicorn's `http` protocol.
"""

from __future__ import annotations

import contextlib
import socket

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

PROTOCOL = "app.http_protocol:NoDelayHttpToolsProtocol"


def set_nodelay(sock: socket.socket | None) -> None:
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):  # not a TCP socket after all: nothing to do
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport) -> None:  # type: ignore[override]
        set_nodelay(transport.get_extra_info("socket"))
        super().connection_made(transport)
