"""The benchmark runner: progress bar while running, then one table and bench-results/latest.json."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from benchmarks import discover, run_module

RESULTS = Path("bench-results") / "latest.json"


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def _met(value) -> str:
    return {True: "[green]达标[/green]", False: "[red]未达标[/red]"}.get(value, "—")


def render_table(rows: list[dict]) -> Table:
    table = Table(title="gongkai 基准测试", show_lines=False)
    for col, justify in (("名称", "left"), ("结果", "right"), ("单位", "left"), ("基线/对照", "right"),
                         ("基线说明", "left"), ("比值", "right"), ("目标", "left"), ("是否达标", "center")):
        table.add_column(col, justify=justify)
    for r in rows:
        table.add_row(r["name"], _fmt(r["figure"]), r["unit"] or "", _fmt(r["floor"]), r["floor_name"] or "",
                      _fmt(r["ratio"]), r["target"] or (r.get("error") or ""), _met(r["met"]))
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="运行全部基准测试")
    parser.add_argument("--quick", action="store_true", help="小规模快速运行（用于检查，不用于结论）")
    parser.add_argument("--only", action="append", help="只运行名称包含该字符串的基准，可重复")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON 结果文件（默认 {RESULTS}）")
    parser.add_argument("--strict", action="store_true", help="有目标未达标时退出码为 1")
    args = parser.parse_args(argv)

    console = Console(width=None if sys.stdout.isatty() else 160)  # pipes and CI get the full table
    modules = discover(args.only)
    if not modules:
        console.print("没有找到基准测试（benchmarks/bench_*.py）。")
        return 2
    rows: list[dict] = []
    started = datetime.now(UTC)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("基准测试", total=len(modules))
        for module in modules:
            bar.update(task, description=f"运行 {module.rsplit('.', 1)[-1]}")
            rows.extend(run_module(module, args.quick))
            bar.advance(task)
    console.print(render_table(rows))

    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "started_at": started.isoformat(), "finished_at": datetime.now(UTC).isoformat(),
        "quick": args.quick, "python": platform.python_version(), "machine": platform.machine(),
        "cpus": os.cpu_count(), "results": rows,
    }  # fmt: skip
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    console.print(f"JSON 结果：{args.out}")
    errors = [r for r in rows if r.get("error")]
    missed = [r for r in rows if r["met"] is False]
    if errors:
        return 1
    return 1 if (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
