"""Polling for an outcome another thread or process produces (never a timing assertion: a deadline
that passes only fails the test's real assertion)."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(predicate: Callable[[], bool], seconds: float = 20.0) -> bool:
    """True as soon as `predicate()` is; False once `seconds` have passed without it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
