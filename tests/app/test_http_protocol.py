"""TCP_NODELAY on connections accepted by `gongkai serve --workers N` (a listening socket with proto 0).

Without it, every response on a kept-alive connection (nginx upstreams, the benchmark's client) waits
for the peer's delayed ACK between the header and body writes.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from app.http_protocol import NoDelayHttpToolsProtocol


async def _app(scope, receive, send):  # never called: the test only connects
    raise AssertionError


def _accepted_nodelay(protocol_class) -> int:
    """Serve on a socket bound the way uvicorn binds one for workers; the accepted side's TCP_NODELAY."""

    async def main() -> int:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0, as uvicorn's bind_socket
        listener.bind(("127.0.0.1", 0))
        config = Config(_app, http=protocol_class)
        config.load()
        state, made = ServerState(), []

        def factory():
            proto = protocol_class(config=config, server_state=state, app_state={})
            made.append(proto)
            return proto

        server = await asyncio.get_running_loop().create_server(factory, sock=listener)
        _, writer = await asyncio.open_connection(*listener.getsockname())
        for _ in range(100):
            if made and made[0].transport is not None:
                break
            await asyncio.sleep(0.01)
        value = made[0].transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        writer.close()
        for proto in made:
            proto.transport.close()
        server.close()
        await server.wait_closed()
        return value

    return asyncio.run(main())


def test_nodelay_protocol_sets_tcp_nodelay_on_worker_connections():
    assert _accepted_nodelay(NoDelayHttpToolsProtocol) != 0


def test_plain_protocol_on_such_a_socket_keeps_nagle():
    """The reason for the class: asyncio leaves Nagle on when the listening socket's proto is 0."""
    assert _accepted_nodelay(HttpToolsProtocol) == 0
