"""`make bench` / `python -m benchmarks`: every `benchmarks/bench_*.py`, one table, one JSON copy.

Each benchmark module exposes `run(quick: bool) -> list[dict]`; every dict has the keys of `ROW_KEYS`:
name, figure, unit, floor (the same quantity measured for a bare baseline in the same run, or a
peer's figure), floor_name, target (text, e.g. "p95 < 2 s"), met (bool or None when no target).
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

ROW_KEYS = ("name", "figure", "unit", "floor", "floor_name", "target", "met")
PACKAGE_DIR = Path(__file__).resolve().parent


def discover(only: list[str] | None = None) -> list[str]:
    """Module names of every bench_*.py, sorted; `only` filters by substring."""
    names = sorted(m.name for m in pkgutil.iter_modules([str(PACKAGE_DIR)]) if m.name.startswith("bench_"))
    if only:
        names = [n for n in names if any(o in n for o in only)]
    return [f"benchmarks.{n}" for n in names]


def ratio(figure, floor) -> float | None:
    """figure ÷ floor when both are numbers and the floor is not zero."""
    if isinstance(figure, (int, float)) and isinstance(floor, (int, float)) and floor:
        return figure / floor
    return None


def normalize(row: dict, module: str) -> dict:
    """Fill missing keys, so one sloppy benchmark cannot break the table."""
    out = {key: row.get(key) for key in ROW_KEYS}
    out["name"] = out["name"] or module
    out["module"] = module
    out["ratio"] = ratio(out["figure"], out["floor"])
    return out


def run_module(module: str, quick: bool) -> list[dict]:
    try:
        rows = importlib.import_module(module).run(quick)
        return [normalize(r, module) for r in rows]
    except Exception as exc:  # noqa: BLE001 - one failing benchmark must not hide the others
        return [normalize({"name": module.rsplit(".", 1)[-1], "target": "运行失败", "met": False,
                           "error": f"{type(exc).__name__}: {exc}"}, module)
                | {"error": f"{type(exc).__name__}: {exc}"}]
