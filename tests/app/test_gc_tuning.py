"""Server processes freeze the built app out of the collector's scans and collect the young less often."""

from __future__ import annotations

import subprocess
import sys

from app.gc_tuning import THRESHOLDS


def test_tune_for_serving_freezes_and_raises_thresholds():
    script = ("import gc; from app.gc_tuning import tune_for_serving; import app.factory; "
              "before = gc.get_freeze_count(); tune_for_serving(); "
              "print(before, gc.get_freeze_count(), *gc.get_threshold())")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    before, frozen, *thresholds = map(int, out)
    assert before == 0 and frozen > 10_000
    assert tuple(thresholds) == THRESHOLDS != (700, 10, 10)
