"""The WeChat emulator in a child process, so the platform's CPU is not charged to the load generator.

`python -m benchmarks.emulator_process` starts one emulator, prints its URL and serves until stdin
closes; `emulator_process()` is the context manager the benchmarks use.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from app.delivery_process import end_child


@contextmanager
def emulator_process() -> Iterator[str]:
    """Yield the base URL of a WeChat emulator served by a child process."""
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.emulator_process"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        url = (proc.stdout.readline() if proc.stdout else "").strip()
        if not url.startswith("http"):
            raise RuntimeError("WeChat emulator process did not start")
        yield url
    finally:
        end_child(proc, timeout=10)


def main() -> None:
    from sandbox import WeChatEmulator

    with WeChatEmulator() as emu:
        print(emu.url, flush=True)
        sys.stdin.read()  # until the parent closes stdin


if __name__ == "__main__":
    main()
