"""`gongkai user password|reset|unlock|deactivate|activate` on both databases (in-process CliRunner)."""

from __future__ import annotations

import re
import sys

import click
import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from app.cli import main
from content import accounts, auth_sessions, login_throttle
from content.models import AuditEvent, User


@pytest.fixture
def gongkai(db_url, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no stray .env
    runner = CliRunner()

    @click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                     "help_option_names": []})
    @click.pass_context
    def entry(ctx):  # the console script's own entry point, so domain errors end as they do for people
        monkeypatch.setattr(sys, "argv", ["gongkai", *ctx.args])
        main()

    def invoke(*args: str):
        return runner.invoke(entry, list(args), env={"GONGKAI_DATABASE_URL": db_url})

    return invoke


def _user(engine, login: str) -> User:
    with Session(engine) as s:
        return s.exec(select(User).where(User.login == login)).one()


def _open_sessions(engine, user_id: int) -> int:
    with Session(engine) as s:
        return auth_sessions.live_sessions(s, user_id=user_id)


def _login_session(engine, user_id: int) -> None:
    with Session(engine) as s:
        auth_sessions.open_session(s, user=s.get(User, user_id), kind=auth_sessions.WEB)
        s.commit()


def test_password_changes_own_password_and_ends_sessions(gongkai, engine, world):
    _login_session(engine, world.drafter)
    r = gongkai("user", "password", "drafter", "--old-password", world.password, "--new-password", "cli-new-pw-1")
    assert r.exit_code == 0, r.output
    assert "已修改" in r.output and "cli-new-pw-1" not in r.output
    assert accounts.verify_password(_user(engine, "drafter").password_hash, "cli-new-pw-1")
    assert _open_sessions(engine, world.drafter) == 0


def test_password_with_a_wrong_old_password_is_one_chinese_line(gongkai, engine, world):
    r = gongkai("user", "password", "drafter", "--old-password", "nope", "--new-password", "cli-new-pw-1")
    assert r.exit_code == 2 and "当前密码不正确" in r.output and "Traceback" not in r.output
    assert accounts.verify_password(_user(engine, "drafter").password_hash, world.password)


def test_reset_shows_a_temporary_password_once_and_forces_a_change(gongkai, engine, world):
    _login_session(engine, world.head_a)
    r = gongkai("user", "reset", "head_a")
    assert r.exit_code == 0, r.output
    temporary = re.search(r"临时密码：(\S+?)（", r.output).group(1)
    user = _user(engine, "head_a")
    assert accounts.verify_password(user.password_hash, temporary) and user.must_change_password
    assert _open_sessions(engine, world.head_a) == 0
    r = gongkai("user", "reset", "head_a", "--password", "given-temp-1")
    assert r.exit_code == 0 and "given-temp-1" in r.output
    with Session(engine) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "user.reset")).all()
    assert len(events) == 2 and all(temporary not in str(e.data) for e in events)


def test_unlock_clears_every_address(gongkai, engine, world):
    with Session(engine) as s:
        for i in range(login_throttle.ACCOUNT_LOCK_ADDRESSES):
            login_throttle.record_failure(s, login="leader", address=f"198.51.100.{i}")
        s.commit()
        assert login_throttle.is_locked(s, login="leader")
    assert "已锁定" in gongkai("user", "list").output
    r = gongkai("user", "unlock", "leader")
    assert r.exit_code == 0 and "已解锁" in r.output
    with Session(engine) as s:
        assert not login_throttle.is_locked(s, login="leader")
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "user.unlock")).one().target_id == world.leader


def test_deactivate_and_activate(gongkai, engine, world):
    _login_session(engine, world.leader)
    r = gongkai("user", "deactivate", "leader")
    assert r.exit_code == 0, r.output
    assert not _user(engine, "leader").active and _open_sessions(engine, world.leader) == 0
    assert "停用" in gongkai("user", "list").output
    r = gongkai("user", "deactivate", "leader")
    assert r.exit_code == 2 and "已是停用状态" in r.output
    r = gongkai("user", "activate", "leader")
    assert r.exit_code == 0 and _user(engine, "leader").active


def test_last_admin_cannot_be_deactivated_and_unknown_login_is_clear(gongkai, world):
    r = gongkai("user", "deactivate", "admin")
    assert r.exit_code == 2 and "最后一个启用的管理员" in r.output
    r = gongkai("user", "reset", "nobody")
    assert r.exit_code == 2 and "用户不存在" in r.output
