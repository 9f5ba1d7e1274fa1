"""The checks `gongkai check-config` runs. Each feature adds its own check functions.

A check is a function `(settings: Settings) -> CheckResult | list[CheckResult]`. To add one, write
it in your own module, decorate it with `@config_check`, and list that module in `CHECK_MODULES`
(one line each, like `app/model_registry.py`). Checks must not raise for a misconfiguration: they
return a failing result with a Chinese message. A check that raises anyway is reported as failed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from content.settings import Settings


class Level(StrEnum):
    ok = "ok"
    warn = "warn"  # worth knowing, does not block start
    fail = "fail"  # the installation cannot work like this


LEVEL_LABELS = {Level.ok: "正常", Level.warn: "注意", Level.fail: "错误"}


@dataclass
class CheckResult:
    name: str  # short Chinese label, e.g. "数据库"
    level: Level
    message: str

    @classmethod
    def ok(cls, name: str, message: str) -> CheckResult:
        return cls(name, Level.ok, message)

    @classmethod
    def warn(cls, name: str, message: str) -> CheckResult:
        return cls(name, Level.warn, message)

    @classmethod
    def fail(cls, name: str, message: str) -> CheckResult:
        return cls(name, Level.fail, message)


Check = Callable[[Settings], "CheckResult | list[CheckResult]"]

CHECKS: list[Check] = []

CHECK_MODULES = [
    "app.checks_core",
    "app.checks_scheduler",
    "app.checks_registers",
]


def config_check(fn: Check) -> Check:
    """Register a check (idempotent: re-importing a module does not add it twice)."""
    if fn not in CHECKS:
        CHECKS.append(fn)
    return fn


def load_checks() -> list[Check]:
    for name in CHECK_MODULES:
        importlib.import_module(name)
    return list(CHECKS)


def run_checks(settings: Settings) -> list[CheckResult]:
    results: list[CheckResult] = []
    for check in load_checks():
        try:
            out = check(settings)
        except Exception as exc:  # noqa: BLE001 - a broken check is a failed check, not a traceback
            label = (check.__doc__ or check.__name__).strip().splitlines()[0]
            out = CheckResult.fail(label, f"检查本身出错（{type(exc).__name__}）")
        results.extend(out if isinstance(out, list) else [out])
    return results
