"""The `gongkai` console script, run in a subprocess against real databases."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.migrate import upgrade
from content import store
from content.db.db import make_engine
from content.models import Department, Oversight, User, UserRole
from content.review import chain as workflow

GONGKAI = str(Path(sys.executable).with_name("gongkai"))


def run(url: str, *args: str, cwd: Path, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGKAI_")}
    env.update({"GONGKAI_DATABASE_URL": url, "GONGKAI_ARGON2_PROFILE": "test"}, **(extra_env or {}))
    return subprocess.run([GONGKAI, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def assert_user_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    """Exit code 2, one Chinese line on stderr, no traceback."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("错误：")]
    assert len(error_lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in error_lines[0]


@pytest.fixture
def fresh(tmp_path) -> tuple[str, Path]:
    """A SQLite URL whose file does not exist yet, and a working directory with no .env."""
    return f"sqlite:///{tmp_path / 'cli.db'}", tmp_path


def test_serve_on_missing_database_says_run_init_and_creates_nothing(fresh):
    url, cwd = fresh
    result = run(url, "serve", "--port", "1", cwd=cwd)
    assert_user_error(result, "gongkai init")
    assert not (cwd / "cli.db").exists()


def test_serve_on_unmigrated_database_says_run_init(fresh):
    url, cwd = fresh
    make_engine(url).connect().close()  # an empty SQLite file, no tables
    result = run(url, "serve", "--port", "1", cwd=cwd)
    assert_user_error(result, "gongkai init")


def test_init_then_departments_users_and_roles(fresh):
    url, cwd = fresh
    init = run(url, "init", cwd=cwd)
    assert init.returncode == 0, init.stderr
    assert "管理员账号：admin" in init.stdout
    assert run(url, "department", "add", "党政办", cwd=cwd).returncode == 0
    assert run(url, "department", "add", "经济发展办", cwd=cwd).returncode == 0
    r = run(url, "user", "add", "zhang", "--name", "张三", "--role", "drafter", "--department", "党政办",
            "--password", "pass-word-1", cwd=cwd)
    assert r.returncode == 0, r.stderr
    assert "已创建用户：zhang" in r.stdout
    r = run(url, "user", "add", "li", "--name", "李四", "--role", "leader", "--oversees", "党政办,经济发展办",
            "--password", "pass-word-1", cwd=cwd)
    assert r.returncode == 0, r.stderr
    r = run(url, "user", "role", "zhang", "--role", "drafter,dept_head", cwd=cwd)
    assert r.returncode == 0 and "拟稿人、供稿部门负责人" in r.stdout
    listing = run(url, "user", "list", cwd=cwd)
    assert listing.returncode == 0
    rows = {line.split("\t")[0]: line.split("\t") for line in listing.stdout.splitlines()[1:]}
    assert rows["zhang"][2:4] == ["拟稿人、供稿部门负责人", "党政办"]
    assert rows["li"][4] == "党政办、经济发展办"

    engine = make_engine(url)
    with Session(engine) as s:
        li = s.exec(select(User).where(User.login == "li")).one()
        assert len(s.exec(select(Oversight).where(Oversight.user_id == li.id)).all()) == 2
    engine.dispose()


def test_user_mistakes_are_one_line_exit_2_and_change_nothing(fresh):
    url, cwd = fresh
    assert run(url, "init", cwd=cwd).returncode == 0
    assert run(url, "department", "add", "党政办", cwd=cwd).returncode == 0
    add = ["user", "add", "wang", "--name", "王五", "--password", "pass-word-1"]
    assert_user_error(run(url, "department", "add", "党政办", cwd=cwd), "已存在")
    assert_user_error(run(url, *add, "--role", "king", cwd=cwd), "未知角色", "king")
    assert_user_error(run(url, *add, "--role", "drafter", "--department", "无此部门", cwd=cwd), "无此部门")
    assert_user_error(run(url, *add, "--role", "drafter", cwd=cwd), "部门")
    assert_user_error(run(url, *add, "--role", "leader", "--oversees", "党政办,无此部门", cwd=cwd), "无此部门")
    assert_user_error(run(url, "user", "add", "wang", "--name", "王五", "--password", "short", "--role", "admin",
                          cwd=cwd), "8")
    assert_user_error(run(url, "user", "role", "nobody", "--role", "admin", cwd=cwd), "用户不存在")
    assert_user_error(run(url, "item", "list", "--state", "bogus", cwd=cwd), "bogus")
    assert_user_error(run(url, "item", "show", "4242", cwd=cwd), "4242")
    # Typer's own bad-argument handling also exits 2 (its usage message, no traceback).
    missing = run(url, "user", "add", cwd=cwd)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr

    engine = make_engine(url)
    with Session(engine) as s:
        assert s.exec(select(User).where(User.login == "wang")).first() is None
        assert len(s.exec(select(Department)).all()) == 1
        assert s.exec(select(UserRole).where(UserRole.role == "leader")).first() is None
    engine.dispose()


def test_check_config_reports_unmigrated_then_sandbox(fresh):
    url, cwd = fresh
    r = run(url, "check-config", cwd=cwd)
    assert r.returncode == 1
    assert "[错误] 数据库" in r.stdout and "gongkai init" in r.stdout
    assert "Traceback" not in r.stderr
    assert run(url, "init", cwd=cwd).returncode == 0
    r = run(url, "check-config", cwd=cwd, extra_env={"GONGKAI_SANDBOX": "1"})  # sandbox only when asked for
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[正常] 数据库" in r.stdout
    assert "沙箱模式" in r.stdout and "GONGKAI_MP_APP_ID" in r.stdout


def test_check_config_outside_sandbox_flags_placeholder_secret_and_partial_credentials(fresh):
    url, cwd = fresh
    assert run(url, "init", cwd=cwd).returncode == 0
    (cwd / ".env").unlink()  # init wrote a random GONGKAI_SECRET_KEY there; this test is about a missing one
    r = run(url, "check-config", cwd=cwd, extra_env={"GONGKAI_PORTAL_URL": "http://127.0.0.1:9/portal"})
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert any(line.startswith("[错误] 门户网站") and "GONGKAI_PORTAL_TOKEN" in line for line in lines)
    assert any(line.startswith("[错误] 密钥") and "GONGKAI_SECRET_KEY" in line for line in lines)
    assert any(line.startswith("[注意] 企业微信") for line in lines)


def test_cli_on_both_databases_lists_users_and_items(engine, world, db_url, tmp_path):
    """The same commands against the `engine` fixture's database (SQLite and PostgreSQL)."""
    with Session(engine, expire_on_commit=False) as s:
        drafter = s.get(User, world.drafter)
        item = store.create_item(s, actor=drafter, data={"title": "镇政府召开安全生产会议", "body_html": "<p>正文</p>",
                                                         "digest": "会议摘要", "topic": "其他", "channels": ["portal"]})
        s.commit()
        other = store.create_item(s, actor=drafter, data={"title": "审核中的稿件", "body_html": "<p>正文</p>",
                                                          "topic": "其他", "channels": ["portal", "mp"]})
        workflow.apply_action(s, item_id=other.id, actor=drafter, action="submit")
        workflow.apply_action(s, item_id=other.id, actor=s.get(User, world.head_a), action="approve", comment="可以")
        s.commit()
    r = run(db_url, "user", "list", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "head_a" in r.stdout and "供稿部门负责人" in r.stdout
    r = run(db_url, "item", "list", "--state", "draft", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert f"{item.id}\t草稿\t党政办" in r.stdout and "镇政府召开安全生产会议" in r.stdout
    r = run(db_url, "item", "list", "--state", "published", cwd=tmp_path)
    assert "没有符合条件的稿件" in r.stdout
    r = run(db_url, "item", "show", str(item.id), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "状态：草稿" in r.stdout and "门户栏目：其他" in r.stdout
    r = run(db_url, "item", "show", str(other.id), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "状态：审核中·分管领导审核" in r.stdout and "渠道：门户网站、微信公众号" in r.stdout
    assert "第 1 轮审核（进行中）" in r.stdout
    assert "供稿部门负责人审核  同意  head_a" in r.stdout and "意见：可以" in r.stdout
    assert "分管领导审核  待审核" in r.stdout
    r = run(db_url, "user", "add", "drafter", "--name", "重名", "--role", "admin", "--password", "pass-word-1",
            cwd=tmp_path)
    assert_user_error(r, "drafter")


def test_check_registry_runs_added_checks_and_survives_a_broken_one(sqlite_engine):
    from app import checks_registry
    from app.checks_registry import CheckResult, config_check, run_checks
    from content.settings import Settings

    url = sqlite_engine.url.render_as_string(hide_password=False)
    upgrade(sqlite_engine)

    @config_check
    def heartbeat(settings):
        """调度器心跳"""
        return CheckResult.warn("调度器心跳", "尚无心跳")

    @config_check
    def broken(settings):
        """坏检查"""
        raise RuntimeError("boom")

    try:
        results = run_checks(Settings(database_url=url))
    finally:
        checks_registry.CHECKS.remove(heartbeat)
        checks_registry.CHECKS.remove(broken)
    by_name = {r.name: r for r in results}
    assert by_name["数据库"].level == "ok"
    assert by_name["调度器心跳"].message == "尚无心跳"
    assert by_name["坏检查"].level == "fail" and "RuntimeError" in by_name["坏检查"].message
