"""The notification delivery process that `gongkai serve` and `gongkai run` start beside the web server.

`delivery_process(settings)` starts `python -m app.delivery_process` as a child and points this
process (and, through the environment, uvicorn's worker processes) at its wake-up socket; see
bot.delivery_worker for why and how. The child ends when the parent closes its stdin — also when the
parent dies, however it dies — or on SIGTERM, after the send in progress. A child that ends
otherwise is started again; until it listens, the web processes deliver themselves.

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
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from app.sandbox_wiring import with_sandbox_endpoints
from bot.delivery_worker import is_listening
from content.settings import Settings

log = logging.getLogger("gongkai")
SOCKET_ENV = "GONGKAI_DELIVERY_SOCKET"


def _shared_env(settings: Settings, path: str) -> dict[str, str]:
    """What the child and uvicorn's workers must agree on: the socket and, in sandbox mode, the emulator."""
    shared = {SOCKET_ENV: path}
    if settings.sandbox:
        wired = with_sandbox_endpoints(settings)
        shared["GONGKAI_WECOM_API_BASE"] = wired.wecom_api_base
        shared["GONGKAI_MP_API_BASE"] = wired.mp_api_base
    return {k: v for k, v in shared.items() if k not in os.environ or k == SOCKET_ENV}


class DeliverySupervisor:
    """Keeps one delivery child running: a child that dies is started again (after RESTART_SECONDS,
    longer each time it dies at once), and until it listens the web processes deliver themselves."""

    RESTART_SECONDS = 1.0
    MAX_RESTART_SECONDS = 60.0

    def __init__(self, path: str) -> None:
        self.path = path
        self.child: subprocess.Popen | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watcher = threading.Thread(target=self._watch, name="gongkai-delivery-supervisor", daemon=True)

    def start(self) -> None:
        self._spawn()
        self._wait_listening()
        self._watcher.start()

    def _spawn(self) -> None:
        self.child = subprocess.Popen([sys.executable, "-m", "app.delivery_process"], stdin=subprocess.PIPE)

    def _wait_listening(self, seconds: float = 15.0) -> None:
        """Until the child has bound its socket, so the first replies already hand off (imports take ~1 s)."""
        deadline = time.monotonic() + seconds
        while not is_listening(self.path):
            if self.child.poll() is not None or time.monotonic() > deadline:
                log.warning("delivery process did not start; the web processes deliver themselves")
                return
            time.sleep(0.05)

    def _watch(self) -> None:
        delay = self.RESTART_SECONDS
        while not self._stopping.is_set():
            started = time.monotonic()
            code = self.child.wait()
            if self._stopping.is_set():
                return
            # One that keeps failing at once (say, a broken configuration) is retried less and less often.
            delay = min(delay * 2, self.MAX_RESTART_SECONDS) if time.monotonic() - started < 10 else self.RESTART_SECONDS
            log.warning("delivery process ended (exit code %s); starting it again in %g s", code, delay)
            if self._stopping.wait(delay):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                self._spawn()

    def stop(self) -> None:
        with self._lock:
            self._stopping.set()
            child = self.child
        end_child(child, timeout=15)
        if self._watcher.is_alive():
            self._watcher.join(5)


def end_child(child: subprocess.Popen, *, timeout: float) -> None:
    """Close the child's stdin (its signal to finish) and wait for it; kill it after `timeout`."""
    if child.stdin:
        child.stdin.close()
    try:
        child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


@contextmanager
def delivery_process(settings: Settings) -> Iterator[DeliverySupervisor]:
    """Run the delivery child for the life of the block; `settings` and the environment name its socket."""
    folder = tempfile.mkdtemp(prefix="gongkai-delivery-")
    path = os.path.join(folder, "wake.sock")
    shared = _shared_env(settings, path)
    os.environ.update(shared)  # uvicorn's worker processes read their settings from the environment
    supervisor = DeliverySupervisor(path)
    supervisor.start()
    settings.delivery_socket = path
    try:
        yield supervisor
    finally:
        settings.delivery_socket = ""
        for name in shared:
            os.environ.pop(name, None)
        supervisor.stop()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    import bot.notify  # noqa: F401 - what the loop uses, imported before the freeze below
    from app.gc_tuning import tune_for_serving
    from app.logging_setup import setup_logging
    from bot.delivery_worker import bind, serve
    from content.db.db import make_engine

    settings = Settings()
    setup_logging(settings)
    if not settings.delivery_socket:
        sys.exit(f"{SOCKET_ENV} is not set")
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)  # SIGTERM makes select() return; the handler only needs to exist
    signal.signal(signal.SIGTERM, lambda *_: None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in a terminal: the parent decides, then closes stdin
    engine = make_engine(settings.database_url)
    sock = bind(settings.delivery_socket)
    tune_for_serving()  # its full collections would otherwise pause it for ~40 ms, possibly holding the SQLite lock
    log.info("delivery process listening (pid %s)", os.getpid())
    try:
        serve(engine, settings, sock, stop_fds=[sys.stdin.fileno(), wake_read])
    finally:
        sock.close()
        engine.dispose()


if __name__ == "__main__":
    main()
