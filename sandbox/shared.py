"""One emulator per process for sandbox mode (`gongkai run` without credentials), started lazily."""

from __future__ import annotations

import threading

from sandbox.emulator import WeChatEmulator

_lock = threading.Lock()
_shared: WeChatEmulator | None = None


def shared_emulator() -> WeChatEmulator:
    global _shared
    with _lock:
        if _shared is None:
            _shared = WeChatEmulator().start()
        return _shared
