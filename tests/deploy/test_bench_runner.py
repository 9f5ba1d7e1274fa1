"""The benchmark runner: discovery, the table, the JSON copy, a failing benchmark reported not hidden."""

from __future__ import annotations

import json
import sys
import types

import benchmarks
import benchmarks.__main__ as runner


def _fake(name: str, run) -> str:
    module = types.ModuleType(f"benchmarks.{name}")
    module.run = run
    sys.modules[module.__name__] = module
    return module.__name__


def test_runner_prints_the_table_and_writes_json(tmp_path, monkeypatch, capsys):
    ok = _fake("bench_fake_ok", lambda quick: [
        {"name": "发布吞吐", "figure": 50.0, "unit": "篇/秒", "floor": 200.0, "floor_name": "裸 httpx POST",
         "target": "≥ 20 篇/秒", "met": True},
        {"name": "仅结果", "figure": 3, "unit": "次"},  # sloppy row: missing keys are filled
    ])
    seen = {}
    broken = _fake("bench_fake_broken", lambda quick: seen.setdefault("quick", quick) and 1 / 0)
    monkeypatch.setattr(runner, "discover", lambda only: [ok, broken])
    out = tmp_path / "r" / "latest.json"
    code = runner.main(["--quick", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 1  # a crashed benchmark makes the run fail
    assert seen["quick"] is True
    assert "发布吞吐" in printed and "0.25" in printed and "达标" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["quick"] is True
    rows = {r["name"]: r for r in data["results"]}
    assert rows["发布吞吐"]["ratio"] == 0.25
    assert rows["仅结果"]["floor"] is None and rows["仅结果"]["ratio"] is None
    assert "ZeroDivisionError" in rows["bench_fake_broken"]["error"] and rows["bench_fake_broken"]["met"] is False


def test_strict_fails_on_a_missed_target(tmp_path, monkeypatch):
    missed = _fake("bench_fake_missed", lambda quick: [
        {"name": "x", "figure": 3.0, "unit": "s", "floor": 1.0, "floor_name": "y", "target": "< 2 s", "met": False}])
    monkeypatch.setattr(runner, "discover", lambda only: [missed])
    assert runner.main(["--out", str(tmp_path / "a.json")]) == 0
    assert runner.main(["--strict", "--out", str(tmp_path / "b.json")]) == 1


def test_discover_finds_only_bench_modules():
    names = benchmarks.discover()
    assert all(n.startswith("benchmarks.bench_") for n in names)
    assert names == sorted(names)
