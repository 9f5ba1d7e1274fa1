"""Startup safety: unsafe secrets refuse server starts naming the variable; bad DB URLs are one line."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.logging_setup import setup_logging
from app.settings import Settings
from app.startup import startup_problems

GOOD_AES = "a" * 43
REAL_SECRET = "s3cr3t-value-for-tests-0123456789"


def _gongkai(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GONGKAI_")}
    full_env.update(env)
    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=full_env, cwd=cwd,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for key in list(os.environ):
        if key.startswith("GONGKAI_") and key != "GONGKAI_ARGON2_PROFILE":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no stray .env
    return monkeypatch


@pytest.mark.parametrize("command", ["serve", "run", "scheduler"])
def test_placeholder_secret_key_refuses_every_server_command(clean_env, command):
    if command not in {c.name for c in cli.registered_commands}:
        pytest.skip(f"gongkai {command} is not registered yet")
    clean_env.setenv("GONGKAI_PORTAL_URL", "https://portal.example.invalid/api")
    clean_env.setenv("GONGKAI_PORTAL_TOKEN", REAL_SECRET)
    result = CliRunner().invoke(cli, [command])
    assert result.exit_code == 2
    assert "GONGKAI_SECRET_KEY" in result.output
    assert REAL_SECRET not in result.output


def test_partly_configured_wecom_names_each_missing_variable(clean_env):
    clean_env.setenv("GONGKAI_SECRET_KEY", REAL_SECRET)
    clean_env.setenv("GONGKAI_WECOM_CORP_ID", "ww0123456789")
    clean_env.setenv("GONGKAI_WECOM_SECRET", REAL_SECRET)
    clean_env.setenv("GONGKAI_WECOM_AES_KEY", "too-short")
    problems = startup_problems(Settings())
    text = "\n".join(problems)
    assert "GONGKAI_WECOM_AGENT_ID" in text and "GONGKAI_WECOM_TOKEN" in text
    assert "GONGKAI_WECOM_AES_KEY" in text and "43" in text
    assert REAL_SECRET not in text and "too-short" not in text


def test_fully_configured_channels_pass(clean_env):
    for key, value in {
        "SECRET_KEY": REAL_SECRET, "WECOM_CORP_ID": "ww01", "WECOM_AGENT_ID": "1000002",
        "WECOM_SECRET": REAL_SECRET, "WECOM_TOKEN": "tok3n-abc", "WECOM_AES_KEY": GOOD_AES,
        "MP_APP_ID": "wx01", "MP_SECRET": REAL_SECRET, "MP_TOKEN": "tok3n-def", "MP_AES_KEY": GOOD_AES,
        "PORTAL_URL": "https://portal.example.invalid", "PORTAL_TOKEN": REAL_SECRET,
    }.items():
        clean_env.setenv(f"GONGKAI_{key}", value)
    assert startup_problems(Settings()) == []


def test_sandbox_needs_no_secrets(clean_env):
    assert Settings().sandbox and startup_problems(Settings()) == []


def test_malformed_setting_is_one_line(clean_env, tmp_path):
    r = _gongkai("init", env={"GONGKAI_DISPATCH_INTERVAL_SECONDS": "soon"}, cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "GONGKAI_DISPATCH_INTERVAL_SECONDS" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("command", [["init"], ["serve"]])
def test_unreachable_database_is_one_line_exit_2(clean_env, tmp_path, command):
    url = "postgresql://gongkai:pw-not-shown@127.0.0.1:1/none"
    r = _gongkai(*command, env={"GONGKAI_DATABASE_URL": url}, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("错误")]
    assert len(lines) == 1 and "GONGKAI_DATABASE_URL" in lines[0]
    assert "Traceback" not in r.stderr and "pw-not-shown" not in r.stderr + r.stdout


def test_malformed_database_url_is_one_line_exit_2(clean_env, tmp_path):
    r = _gongkai("init", env={"GONGKAI_DATABASE_URL": "not a url at all"}, cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_logs_mask_secrets_plain_and_json(clean_env, capsys):
    clean_env.setenv("GONGKAI_WECOM_SECRET", REAL_SECRET)
    clean_env.setenv("GONGKAI_DATABASE_URL", "postgresql://u:db-pass-word@127.0.0.1/x")
    for json_logs in (False, True):
        clean_env.setenv("GONGKAI_JSON_LOGS", "true" if json_logs else "false")
        setup_logging(Settings())
        log = logging.getLogger("gongkai.test")
        log.warning("token request with secret=%s and db-pass-word", REAL_SECRET)
        try:
            raise RuntimeError(f"failed with {REAL_SECRET}")
        except RuntimeError:
            log.exception("boom")
        err = capsys.readouterr().err
        assert REAL_SECRET not in err and "db-pass-word" not in err
        assert "secret=***" in err
        if json_logs:
            entries = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
            assert entries[0]["level"] == "warning" and entries[0]["logger"] == "gongkai.test"
            assert "***" in entries[1]["exception"]
    logging.getLogger().handlers = [h for h in logging.getLogger().handlers if not getattr(h, "_gongkai", False)]
