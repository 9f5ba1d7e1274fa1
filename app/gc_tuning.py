"""Garbage-collector settings for long-running server processes.

A request through the ORM allocates thousands of short-lived objects, so with CPython's default
thresholds (700, 10, 10) the collector runs every few hundred allocations and walks the whole heap
of the app (routes, templates, models, the mapper registry) on every full collection. Once the app
is built, `gc.freeze()` moves everything alive into a generation the collector no longer scans, and
a larger young-generation threshold lets it run ten times less often. Measured on the WeChat
callback path (`make bench`): about a fifth less CPU per callback; resident memory unchanged.
"""

from __future__ import annotations

import gc

THRESHOLDS = (7000, 10, 10)


def tune_for_serving() -> None:
    """Call once, after the app is built and before serving."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
