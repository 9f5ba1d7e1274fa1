"""The type-check gate of `make lint`: mypy with a shrink-only baseline.

Rules (issue 15):
- content/ and scheduler/ (the core and the publisher) have ZERO mypy errors;
- elsewhere every error must already be listed in mypy-baseline.txt (one line per error, without line
  numbers, so moving code does not churn the file); a new error fails the gate;
- a baseline line that no longer occurs fails the gate too, so the file can only shrink:
  `python lint/mypy_baseline.py --update` drops the fixed lines (it never adds any).

mypy reads its settings from pyproject.toml ([tool.mypy]) and keeps its cache in .mypy_cache.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "mypy-baseline.txt"
ZERO_ERROR_PACKAGES = ("content/", "scheduler/")

_ERROR = re.compile(r"^(?P<path>[^:\s]+\.pyi?):(?:\d+:)?(?:\d+:)? error: (?P<message>.*)$")
_LINE_REF = re.compile(r"\bline \d+\b")


def run_mypy() -> list[str]:
    """Run mypy over the configured packages; return its error lines (notes dropped)."""
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--no-pretty", "--no-color-output"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode not in (0, 1):  # 2: mypy itself failed (bad config, crash)
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"mypy did not run (exit {proc.returncode})")
    return [line for line in proc.stdout.splitlines() if _ERROR.match(line)]


def normalize(line: str) -> str:
    """`path:12: error: msg [code]` -> `path: msg [code]`, stable when code moves."""
    match = _ERROR.match(line)
    assert match is not None
    message = _LINE_REF.sub("line N", match["message"].strip())
    return f"{match['path'].replace(chr(92), '/')}: {message}"


def read_baseline(path: Path = BASELINE) -> Counter[str]:
    if not path.exists():
        return Counter()
    lines = path.read_text(encoding="utf-8").splitlines()
    return Counter(line for line in lines if line.strip() and not line.startswith("#"))


def write_baseline(entries: Counter[str], path: Path = BASELINE) -> None:
    body = sorted(entries.elements())
    header = "# mypy errors outside content/ and scheduler/; may only shrink (lint/mypy_baseline.py)\n"
    path.write_text(header + "".join(f"{line}\n" for line in body), encoding="utf-8")


def judge(error_lines: list[str], baseline: Counter[str]) -> tuple[list[str], Counter[str], Counter[str]]:
    """Split mypy's errors into (zero-error package errors, new errors, stale baseline lines)."""
    core = [line for line in error_lines if normalize(line).startswith(ZERO_ERROR_PACKAGES)]
    outside = Counter(normalize(line) for line in error_lines if line not in core)
    return core, outside - baseline, baseline - outside


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--update", action="store_true", help="drop fixed lines from the baseline")
    parser.add_argument(
        "--init", action="store_true", help="write the baseline from scratch (only when it does not exist)"
    )
    args = parser.parse_args(argv)

    errors = run_mypy()
    baseline = read_baseline()
    if args.init:
        if BASELINE.exists():
            raise SystemExit(f"{BASELINE.name} exists; it may only shrink (use --update)")
        outside = Counter(normalize(e) for e in errors if not normalize(e).startswith(ZERO_ERROR_PACKAGES))
        write_baseline(outside)
        print(f"wrote {sum(outside.values())} lines to {BASELINE.name}")
        return 0

    core, new, stale = judge(errors, baseline)
    failed = False
    if core:
        failed = True
        print(f"mypy: {len(core)} error(s) in {' and '.join(ZERO_ERROR_PACKAGES)} (must be zero):")
        print("\n".join(core))
    if new:
        failed = True
        print(f"mypy: {sum(new.values())} error(s) not in {BASELINE.name}:")
        print("\n".join(line for line in errors if normalize(line) in new))
    if stale:
        if args.update:
            write_baseline(baseline - stale)
            print(f"{BASELINE.name}: dropped {sum(stale.values())} fixed line(s)")
        else:
            failed = True
            print(
                f"mypy: {sum(stale.values())} line(s) of {BASELINE.name} no longer occur; the baseline can "
                "shrink: run `.venv/bin/python lint/mypy_baseline.py --update` and commit it:"
            )
            print("\n".join(sorted(stale.elements())))
    if not failed:
        print(
            f"mypy: ok (content/ and scheduler/ clean; {sum(baseline.values())} baseline line(s) elsewhere)"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
