"""The notification delivery process that `gongkai serve` and `gongkai run` start beside the web server.

`delivery_process(settings)` starts `python -m app.delivery_process` as a child and points this
process (and, through the environment, uvicorn's worker processes) at its wake-up socket; see
bot.delivery_worker for why and how. The child ends when the parent closes its stdin — also when the
parent dies, however it dies — or on SIGTERM/SIGINT, after the send in progress. Until the child
listens, and if it ever stops, the web processes deliver themselves.

In sandbox mode the child is given the URL of this process's WeChat emulator, so the chat simulator
and the emulator's request log see its sends.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from app.settings import Settings

log = logging.getLogger("gongkai")
SOCKET_ENV = "GONGKAI_DELIVERY_SOCKET"


def _shared_env(settings: Settings, path: str) -> dict[str, str]:
    """What the child and uvicorn's workers must agree on: the socket and, in sandbox mode, the emulator."""
    shared = {SOCKET_ENV: path}
    if settings.sandbox and not (settings.wecom_api_base and settings.mp_api_base):
        from bot.sandbox.shared import shared_emulator

        url = shared_emulator().url
        shared["GONGKAI_WECOM_API_BASE"] = settings.wecom_api_base or f"{url}/wecom"
        shared["GONGKAI_MP_API_BASE"] = settings.mp_api_base or f"{url}/mp"
    return {k: v for k, v in shared.items() if k not in os.environ or k == SOCKET_ENV}


@contextmanager
def delivery_process(settings: Settings) -> Iterator[subprocess.Popen]:
    """Run the delivery child for the life of the block; `settings` and the environment name its socket."""
    folder = tempfile.mkdtemp(prefix="gongkai-delivery-")
    path = os.path.join(folder, "wake.sock")
    shared = _shared_env(settings, path)
    os.environ.update(shared)  # uvicorn's worker processes read their settings from the environment
    child = subprocess.Popen([sys.executable, "-m", "app.delivery_process"], stdin=subprocess.PIPE)
    _wait_listening(child, path)
    settings.delivery_socket = path
    try:
        yield child
    finally:
        settings.delivery_socket = ""
        for name in shared:
            os.environ.pop(name, None)
        if child.stdin:
            child.stdin.close()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _wait_listening(child: subprocess.Popen, path: str, seconds: float = 15.0) -> None:
    """Until the child has bound its socket, so the first replies already hand off (it imports for ~1 s)."""
    deadline = time.monotonic() + seconds
    while not os.path.exists(path):
        if child.poll() is not None or time.monotonic() > deadline:
            log.warning("delivery process did not start; the web processes deliver themselves")
            return
        time.sleep(0.05)


def main() -> None:
    from app.logging_setup import setup_logging
    from bot.delivery_worker import bind, serve
    from content.db import make_engine

    settings = Settings()
    setup_logging(settings)
    if not settings.delivery_socket:
        sys.exit(f"{SOCKET_ENV} is not set")
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)  # a signal makes select() return; the handlers only need to exist
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    engine = make_engine(settings.database_url)
    sock = bind(settings.delivery_socket)
    log.info("delivery process listening (pid %s)", os.getpid())
    try:
        serve(engine, settings, sock, stop_fds=[sys.stdin.fileno(), wake_read])
    finally:
        sock.close()
        engine.dispose()


if __name__ == "__main__":
    main()
