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
from app.startup import startup_problems
from content.settings import Settings

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


def test_sandbox_needs_no_secrets_when_asked_for(clean_env):
    clean_env.setenv("GONGKAI_SANDBOX", "1")
    assert Settings().sandbox and startup_problems(Settings()) == []


def test_missing_credentials_do_not_select_the_sandbox(clean_env):
    """Regression: no credentials used to mean sandbox mode, and with it the public development key."""
    settings = Settings()
    assert not settings.sandbox
    assert any("GONGKAI_SECRET_KEY" in p for p in startup_problems(settings))


def test_real_credentials_win_over_a_sandbox_request(clean_env):
    clean_env.setenv("GONGKAI_SANDBOX", "1")
    clean_env.setenv("GONGKAI_PORTAL_URL", "https://portal.example.invalid/api")
    assert not Settings().sandbox


@pytest.mark.parametrize("key", ["short-but-not-a-placeholder", "ab" * 20, "dev-secret-key"])
def test_weak_secret_keys_are_refused_outside_the_sandbox(clean_env, key):
    clean_env.setenv("GONGKAI_SECRET_KEY", key)
    problems = startup_problems(Settings())
    assert len(problems) == 1 and "GONGKAI_SECRET_KEY" in problems[0] and "32" in problems[0]
    assert key not in problems[0]


def test_a_random_32_byte_key_is_accepted(clean_env):
    import secrets

    clean_env.setenv("GONGKAI_SECRET_KEY", secrets.token_hex(32))
    assert startup_problems(Settings()) == []


def test_run_refuses_a_weak_key_and_says_how_to_try_the_sandbox(clean_env):
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 2
    assert "GONGKAI_SECRET_KEY" in result.output and "gongkai run --sandbox" in result.output


def test_run_sandbox_passes_the_key_check(clean_env, tmp_path):
    """`run --sandbox` gets past the secret-key check (and stops at the uninitialised database here)."""
    r = _gongkai("run", "--sandbox", "--port", "1", env={"GONGKAI_DATABASE_URL": f"sqlite:///{tmp_path}/none.db",
                                                          "GONGKAI_ARGON2_PROFILE": "test"}, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert "GONGKAI_SECRET_KEY" not in r.stderr and "gongkai init" in r.stderr
    assert "Traceback" not in r.stderr


def test_malformed_setting_is_one_line(clean_env, tmp_path):
    r = _gongkai("init", env={"GONGKAI_DISPATCH_INTERVAL_SECONDS": "soon"}, cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "GONGKAI_DISPATCH_INTERVAL_SECONDS" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("command", [["init"], ["serve"]])
def test_unreachable_database_is_one_line_exit_2(clean_env, tmp_path, command):
    url = "postgresql://gongkai:pw-not-shown@127.0.0.1:1/none"
    r = _gongkai(*command, env={"GONGKAI_DATABASE_URL": url, "GONGKAI_SECRET_KEY": REAL_SECRET}, cwd=tmp_path)
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


def test_init_generates_a_strong_key_into_env_once(clean_env, tmp_path):
    env = {"GONGKAI_DATABASE_URL": f"sqlite:///{tmp_path}/g.db", "GONGKAI_ARGON2_PROFILE": "test"}
    r = _gongkai("init", env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    dotenv = tmp_path / ".env"
    assert (dotenv.stat().st_mode & 0o777) == 0o600
    keys = [ln.split("=", 1)[1] for ln in dotenv.read_text().splitlines() if ln.startswith("GONGKAI_SECRET_KEY=")]
    assert len(keys) == 1 and len(bytes.fromhex(keys[0])) == 32
    assert keys[0] not in r.stdout + r.stderr  # the key itself is never printed
    assert _gongkai("init", env=env, cwd=tmp_path).returncode == 0
    assert dotenv.read_text().count("GONGKAI_SECRET_KEY=") == 1  # kept, not replaced
    clean_env.chdir(tmp_path)
    assert startup_problems(Settings()) == []


def test_init_in_sandbox_mode_writes_no_key(clean_env, tmp_path):
    env = {"GONGKAI_DATABASE_URL": f"sqlite:///{tmp_path}/g.db", "GONGKAI_ARGON2_PROFILE": "test",
           "GONGKAI_SANDBOX": "1"}
    assert _gongkai("init", env=env, cwd=tmp_path).returncode == 0
    assert not (tmp_path / ".env").exists()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("command", ["serve", "run", "scheduler"])
def test_every_server_command_takes_the_same_sandbox_flag(command):
    """`serve` had no --sandbox (only `run` had); the three server commands now share one option."""
    result = CliRunner().invoke(cli, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "--sandbox" in result.output and "沙箱模式" in result.output


def test_serve_refuses_a_weak_key_but_serve_sandbox_starts_and_answers(clean_env, tmp_path):
    """Regression: `gongkai serve --sandbox` was "No such option"; now it starts without a secret key."""
    import signal
    import urllib.request

    from tests.waiting import wait_for

    env = {"GONGKAI_DATABASE_URL": f"sqlite:///{tmp_path}/g.db", "GONGKAI_ARGON2_PROFILE": "test"}
    assert _gongkai("init", env={**env, "GONGKAI_SANDBOX": "1"}, cwd=tmp_path).returncode == 0
    refused = _gongkai("serve", "--port", "1", env=env, cwd=tmp_path)
    assert refused.returncode == 2 and "GONGKAI_SECRET_KEY" in refused.stderr and "--sandbox" in refused.stderr
    port = _free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GONGKAI_")} | env
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--sandbox", "--port", str(port)],
                                env=full_env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        def login_page() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
                    return r.status == 200
            except OSError:
                return proc.poll() is not None  # stop waiting if the server died

        assert wait_for(login_page, seconds=60) and proc.poll() is None, log.read_text()
        output = log.read_text()
        assert "【沙箱模式】" in output and "GONGKAI_SECRET_KEY" not in output
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server and the delivery process it started
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
