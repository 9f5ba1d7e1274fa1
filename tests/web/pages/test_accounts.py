"""账号 pages: own password change, admin reset/unlock/deactivate, sessions that really end — both databases."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import Session, select

from content import auth_sessions, login_throttle
from content.models import AuditEvent, User
from content.timeutil import utcnow
from tests.web.pages.conftest import HTML, WebClient


def _logged_out(c) -> bool:
    r = c.get("/account/password", headers=HTML, follow_redirects=False)
    return r.status_code == 303 and r.headers["location"].startswith("/login")


def _copy(c, web_app) -> WebClient:
    """Another browser holding the same cookie (a stolen or copied cookie)."""
    other = WebClient(web_app, raise_server_exceptions=False)
    other.cookies.update(c.cookies)
    return other


def test_after_logout_the_old_cookie_is_refused(client_for, web_app):
    c = client_for("drafter")
    copied = _copy(c, web_app)
    assert copied.page("/account/password").status_code == 200
    assert c.submit("/logout").status_code == 303
    assert _logged_out(copied)  # the same cookie, replayed after logout, no longer logs in
    copied.close()


def test_header_links_to_the_account_page(client_for):
    home = client_for("drafter").page("/account/password")
    assert 'href="/account/password"' in home.text


def test_change_own_password_ends_other_sessions_but_keeps_this_one(client_for, world, web_app, engine):
    c, other = client_for("drafter"), client_for("drafter")
    assert c.page("/account/password").status_code == 200
    r = c.submit("/account/password", {"old_password": world.password, "new_password": "new-pass-word-7",
                                       "new_password2": "new-pass-word-7"})
    assert r.status_code == 303 and r.headers["location"] == "/account/password?done=1"
    assert "密码已修改" in c.page(r.headers["location"]).text  # this browser stays logged in
    assert _logged_out(other)
    fresh = client_for()
    assert fresh.submit("/login", {"login": "drafter", "password": world.password}).status_code == 401
    assert fresh.submit("/login", {"login": "drafter", "password": "new-pass-word-7"}).status_code == 303
    with Session(engine) as s:
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "user.password_change")).one()
        assert "new-pass-word-7" not in str(ev.data)


def test_change_password_errors_are_shown_beside_the_fields(client_for, world):
    c = client_for("drafter")
    c.page("/account/password")
    r = c.submit("/account/password", {"old_password": "wrong", "new_password": "new-pass-word-7",
                                       "new_password2": "new-pass-word-7"})
    assert r.status_code == 422 and "当前密码不正确" in r.text and 'id="error-old_password"' in r.text
    r = c.submit("/account/password", {"old_password": world.password, "new_password": "new-pass-word-7",
                                       "new_password2": "other-pass-word"})
    assert r.status_code == 422 and "两次输入的新密码不一致" in r.text
    r = c.submit("/account/password", {"old_password": world.password, "new_password": "short",
                                       "new_password2": "short"})
    assert r.status_code == 422 and "至少 8 位" in r.text
    assert c.page("/account/password").status_code == 200  # nothing changed, still logged in


def test_admin_resets_a_password_once_shown_and_the_user_must_change_it(client_for, world, engine):
    victim = client_for("head_a")
    admin = client_for("admin")
    page = admin.page("/users")
    assert page.status_code == 200 and "head_a" in page.text
    r = admin.submit(f"/users/{world.head_a}/reset", {"password": ""})
    assert r.status_code == 303 and r.headers["location"] == "/users?done=reset"
    r = admin.page(r.headers["location"])
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    temporary = re.search(r"临时密码：<strong><code>([^<]+)</code>", r.text).group(1)
    assert _logged_out(victim)
    assert 'id="temporary-password"' not in admin.page("/users").text  # shown once only
    c = client_for()
    r = c.submit("/login", {"login": "head_a", "password": temporary, "next": "/me/binding"})
    assert r.status_code == 303 and r.headers["location"].startswith("/account/password")
    # Every other page sends the user back to the change form until the password is changed.
    r = c.get("/me/binding", headers=HTML, follow_redirects=True)
    assert "管理员已重置您的密码" in r.text
    c.page("/account/password?next=/me/binding")
    r = c.submit("/account/password", {"old_password": temporary, "new_password": "head-a-new-pw",
                                       "new_password2": "head-a-new-pw", "next": "/me/binding"})
    assert r.status_code == 303 and r.headers["location"] == "/me/binding"
    assert c.page("/me/binding").status_code == 200
    with Session(engine) as s:
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "user.reset")).one()
        assert ev.target_id == world.head_a and temporary not in str(ev.data)


def test_users_page_is_for_admins_only(client_for, world):
    c = client_for("drafter")
    assert c.get("/users", headers=HTML).status_code == 403
    c.page("/")
    assert c.submit(f"/users/{world.head_a}/deactivate").status_code == 403


def test_deactivate_ends_every_session_and_reactivate(client_for, world, engine):
    victim = client_for("leader")
    admin = client_for("admin")
    admin.page("/users")
    r = admin.submit(f"/users/{world.leader}/deactivate")
    assert r.status_code == 303
    assert "已停用" in admin.page(r.headers["location"]).text
    assert _logged_out(victim)
    r = client_for().submit("/login", {"login": "leader", "password": world.password})
    assert r.status_code == 403 and "账号已停用" in r.text
    assert admin.submit(f"/users/{world.leader}/activate").status_code == 303
    assert client_for("leader").page("/account/password").status_code == 200
    r = admin.submit(f"/users/{world.admin}/deactivate")
    assert r.status_code == 409 and "不能停用自己的账号" in r.text


def test_admin_unlocks_a_locked_account(client_for, web_app, world):
    attacker = WebClient(web_app, raise_server_exceptions=False, client=("203.0.113.50", 4000))
    attacker.page("/login")
    for _ in range(login_throttle.PAIR_LIMIT):
        attacker.submit("/login", {"login": "head_b", "password": "guess"})
    assert attacker.submit("/login", {"login": "head_b", "password": world.password}).status_code == 429
    # The owner at another address is not locked out by that attacker.
    owner = WebClient(web_app, raise_server_exceptions=False, client=("10.0.0.8", 4000))
    owner.page("/login")
    assert owner.submit("/login", {"login": "head_b", "password": world.password}).status_code == 303
    admin = client_for("admin")
    page = admin.page("/users")
    assert f'/users/{world.head_b}/unlock' in page.text
    assert admin.submit(f"/users/{world.head_b}/unlock").status_code == 303
    assert attacker.submit("/login", {"login": "head_b", "password": world.password}).status_code == 303
    attacker.close()
    owner.close()


def test_warning_before_lockout_on_the_login_page(client_for):
    c = client_for()
    messages = [c.submit("/login", {"login": "drafter", "password": "guess"}).text for _ in range(3)]
    assert "再输错" not in messages[0]
    assert "再输错 3 次，账号将被锁定 15 分钟" in messages[1]
    assert "再输错 2 次，账号将被锁定 15 分钟" in messages[2]


def test_backward_clock_step_keeps_web_sessions(client_for, monkeypatch):
    c = client_for("drafter")
    monkeypatch.setattr(auth_sessions, "utcnow", lambda: utcnow() - timedelta(hours=2))
    assert c.page("/account/password").status_code == 200


def test_login_cookie_from_before_the_old_format_or_forged_is_anonymous(client_for, web_app, engine, world):
    c = client_for("drafter")
    with Session(engine) as s:
        key = auth_sessions.open_session(s, user=s.get(User, world.drafter), kind=auth_sessions.API)
        s.commit()
    forged = WebClient(web_app, raise_server_exceptions=False)
    forged.cookies.set("gongkai_session", key)  # an API token is not a signed web cookie
    assert _logged_out(forged)
    assert c.page("/account/password").status_code == 200
    forged.close()


def test_reloading_the_reset_result_neither_resets_again_nor_shows_the_password_again(client_for, world, engine,
                                                                                      web_app):
    """F5 on the reset result used to re-post the form and make another temporary password."""
    admin = client_for("admin")
    admin.page("/users")
    r = admin.submit(f"/users/{world.head_a}/reset", {"password": "temp-pass-4821"})
    assert r.status_code == 303 and "temp-pass-4821" not in r.headers["location"]
    assert all("temp-pass-4821" not in v for v in r.headers.get_list("set-cookie"))  # encrypted, not readable
    with Session(engine) as s:
        hash_after_reset = s.get(User, world.head_a).password_hash
    copied = _copy(admin, web_app)
    shown = admin.page("/users?done=reset")  # the redirect's target: the one showing
    assert "temp-pass-4821" in shown.text and 'id="temporary-password"' in shown.text
    again = admin.page("/users?done=reset")  # F5: a GET, nothing posted, nothing shown again
    assert again.status_code == 200 and "temp-pass-4821" not in again.text
    assert "临时密码只显示一次" in again.text and 'id="temporary-password"' not in again.text
    with Session(engine) as s:
        assert s.get(User, world.head_a).password_hash == hash_after_reset  # no second reset
        assert len(s.exec(select(AuditEvent).where(AuditEvent.action == "user.reset")).all()) == 1
    assert "temp-pass-4821" not in copied.page("/users?done=reset").text  # a copy of the cookie, too late
    copied.close()
    # bound to the session that posted: another admin login holding the result cookie sees nothing
    admin.submit(f"/users/{world.head_a}/reset", {"password": "temp-pass-9157"})
    other = client_for("admin")
    other.cookies.set("gongkai_once", admin.cookies.get("gongkai_once"), path="/users")
    assert "temp-pass-9157" not in other.page("/users?done=reset").text
    assert "temp-pass-9157" in admin.page("/users?done=reset").text


def test_api_token_issuance_is_audited_without_the_token(web_app, world, engine):
    """Every token handed out (login, and the new one after a password change) leaves an `auth.token` event."""
    from content.labels import AUDIT_ACTION_LABELS

    with WebClient(web_app) as api:
        r = api.post("/api/v1/auth/token", json={"login": "drafter", "password": world.password})
        assert r.status_code == 200
        token = r.json()["token"]
        wrong = api.post("/api/v1/auth/token", json={"login": "drafter", "password": "wrong-password"})
        assert wrong.status_code == 401
        r = api.post("/api/v1/me/password", headers={"Authorization": f"Bearer {token}"},
                     json={"old_password": world.password, "new_password": "drafter-new-pw-1"})
        assert r.status_code == 200, r.text
        second = r.json()["token"]
    with Session(engine) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "auth.token").order_by(AuditEvent.id)).all()
    assert [(e.actor_id, e.target_id, e.data["reason"]) for e in events] == [
        (world.drafter, world.drafter, "login"), (world.drafter, world.drafter, "password_change")]
    assert events[0].data["address"] == "testclient"  # the address the token was requested from
    assert all(token not in str(e.data) and second not in str(e.data) for e in events)
    assert AUDIT_ACTION_LABELS["auth.token"] == "获取接口访问令牌"
