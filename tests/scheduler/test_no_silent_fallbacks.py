"""No safety switches itself off: a missing job is a start-up error with its name, the content hash is
always recomputed, and the metrics import only modules that exist."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from content.models import Revision
from content.settings import Settings
from content.store import content_hash
from scheduler import jobs
from scheduler.dispatch import content_hash_of
from scheduler.service import build

ROOT = Path(__file__).resolve().parents[2]


def test_a_job_without_a_function_fails_start_up_with_its_name():
    with pytest.raises(jobs.JobConfigError, match="deadline_reminders"):
        jobs.JobSpec("deadline_reminders", None, every=3600.0)  # type: ignore[arg-type]
    with pytest.raises(jobs.JobConfigError, match="deadline_reminders"):
        jobs.JobSpec("deadline_reminders", "annual.jobs:remind_deadlines", every=3600.0)  # type: ignore[arg-type]


def test_a_repeated_or_foreign_entry_refuses_the_list_before_anything_starts(engine):
    settings = Settings(_env_file=None)
    twice = [*jobs.SCHEDULER_JOBS, jobs.SCHEDULER_JOBS[0]]
    with pytest.raises(jobs.JobConfigError, match="heartbeat"):
        build(engine, settings, jobs=twice)
    with pytest.raises(jobs.JobConfigError, match="annual.jobs:remind_deadlines"):
        build(engine, settings, jobs=[*jobs.SCHEDULER_JOBS, "annual.jobs:remind_deadlines"])  # type: ignore[list-item]


def test_the_app_hands_in_the_statutory_jobs():
    from app.scheduler_jobs import all_jobs

    by_id = {spec.id: spec.func for spec in all_jobs()}
    from annual.jobs import draft_report, remind_deadlines

    assert by_id["deadline_reminders"] is remind_deadlines and by_id["annual_report_draft"] is draft_report
    assert {"heartbeat", "dispatch", "reconcile", "withdraw", "notifications", "review_reminders"} <= set(by_id)


def test_a_renamed_job_function_stops_the_scheduler_command_naming_it(tmp_path):
    """A stand-in `annual.jobs` without `remind_deadlines`, first on the path: the app cannot build its list."""
    fake = tmp_path / "annual"
    fake.mkdir()
    real = importlib.util.find_spec("annual")
    (fake / "__init__.py").write_text(f"__path__.append({str(Path(real.origin).parent)!r})\n", encoding="utf-8")
    (fake / "jobs.py").write_text("def draft_report(ctx):\n    pass\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", "import app.scheduler_jobs"], capture_output=True, text=True,
                         cwd=tmp_path, env={"PYTHONPATH": f"{tmp_path}:{ROOT}", "PATH": "/usr/bin:/bin"}, timeout=120)
    assert run.returncode != 0 and "remind_deadlines" in run.stderr


def test_dispatch_recomputes_the_hash_from_the_content():
    """The check that stops altered content: a stored hash that agrees with nothing is never trusted."""
    rev = Revision(item_id=1, number=1, content={"title": "原标题"}, content_hash="0" * 64)
    assert content_hash_of(rev) == content_hash({"title": "原标题"}) != rev.content_hash
    source = (ROOT / "scheduler" / "dispatch.py").read_text(encoding="utf-8")
    assert "except ImportError" not in source


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module and n.level == 0}
    names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {c.args[0].value for c in ast.walk(tree) if isinstance(c, ast.Call) and c.args
              and isinstance(c.args[0], ast.Constant) and isinstance(c.args[0].value, str)
              and getattr(c.func, "attr", "") == "import_module"}  # fmt: skip
    return names


def test_metrics_import_only_modules_that_exist_and_health_metrics_are_no_circle():
    metrics = _imported_modules(ROOT / "app" / "metrics_text.py")
    assert all(importlib.util.find_spec(name) is not None for name in metrics), metrics
    assert "importlib" not in metrics and "app.health" not in metrics  # health → metrics_text, one way
    assert "app.metrics_text" in _imported_modules(ROOT / "app" / "health.py")
