"""Token auth: issue, use, refuse, log out, throttle, lock out — on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from content import auth_sessions, login_throttle
from content.models import AuditEvent, User
from content.models.auth import AuthSession
from content.timeutil import utcnow


def _token(client, login, password):
    return client.post("/api/v1/auth/token", json={"login": login, "password": password})


def _me(client, token):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def client_from(client):
    """client_from("10.0.0.7") → a client of the same app that connects from that address."""
    made = []

    def make(address: str) -> TestClient:
        c = TestClient(client.app, client=(address, 50000))
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


def test_token_then_me(client, world):
    r = _token(client, "drafter", world.password)
    assert r.status_code == 200
    me = _me(client, r.json()["token"])
    assert me.status_code == 200
    assert me.json()["login"] == "drafter"
    assert me.json()["department"] == "党政办"
    assert me.json()["roles"] == ["drafter"]


def test_wrong_password_and_unknown_login_get_the_same_answers(client, world):
    for login, pw in [("drafter", "wrong-password"), ("nobody", world.password)]:
        answers = [_token(client, login, pw) for _ in range(3)]
        assert [a.status_code for a in answers] == [401, 401, 401]
        assert answers[0].json() == {"code": "invalid_credentials", "message": "登录名或密码错误"}
        # From the second wrong try on, the warning before lock-out, for real and unknown logins alike.
        assert answers[1].json()["message"] == "登录名或密码错误。再输错 3 次，账号将被锁定 15 分钟"
        assert answers[2].json()["message"] == "登录名或密码错误。再输错 2 次，账号将被锁定 15 分钟"


def test_missing_garbage_and_tampered_tokens_are_401(client, world, engine):
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    assert "登录" in r.json()["message"]
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401 and r.json()["code"] == "token_invalid"
    good = _token(client, "drafter", world.password).json()["token"]
    r = _me(client, good[:-2] + ("xx" if not good.endswith("xx") else "yy"))
    assert r.status_code == 401 and r.json()["code"] == "token_invalid"
    # Only a hash of the token is stored: a database copy holds no usable token.
    with Session(engine) as s:
        hashes = s.exec(select(AuthSession.key_hash)).all()
    assert good not in hashes and len(hashes) == 1


def test_web_session_key_is_not_an_api_token(client, world, engine):
    with Session(engine) as s:
        key = auth_sessions.open_session(s, user=s.get(User, world.drafter), kind=auth_sessions.WEB)
        s.commit()
    assert _me(client, key).status_code == 401


def test_logout_ends_the_token(client, world, engine):
    token = _token(client, "drafter", world.password).json()["token"]
    other = _token(client, "drafter", world.password).json()["token"]
    r = client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 204
    assert _me(client, token).status_code == 401
    assert _me(client, other).status_code == 200  # only the logged-out token ends
    with Session(engine) as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "auth.logout")).first() is not None


def test_inactive_user_refused_at_login_and_with_an_old_token(client, world, engine):
    token = _token(client, "drafter", world.password).json()["token"]
    with Session(engine) as s:
        u = s.get(User, world.drafter)
        u.active = False
        s.add(u)
        s.commit()
    r = _me(client, token)
    assert r.status_code == 401 and r.json()["code"] in {"account_inactive", "token_invalid"}
    r = _token(client, "drafter", world.password)
    assert r.status_code == 403 and r.json()["code"] == "account_inactive"


def test_password_change_ends_every_token_and_returns_a_new_one(client, world, engine):
    old_tokens = [_token(client, "drafter", world.password).json()["token"] for _ in range(2)]
    r = client.post("/api/v1/me/password", headers={"Authorization": f"Bearer {old_tokens[0]}"},
                    json={"old_password": world.password, "new_password": "a-new-password-9"})
    assert r.status_code == 200, r.text
    fresh = r.json()["token"]
    assert [_me(client, t).status_code for t in old_tokens] == [401, 401]
    assert _me(client, fresh).status_code == 200
    assert _token(client, "drafter", world.password).status_code == 401
    assert _token(client, "drafter", "a-new-password-9").status_code == 200
    with Session(engine) as s:
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "user.password_change")).one()
        assert ev.target_id == world.drafter
        assert "a-new-password-9" not in str(ev.data) and world.password not in str(ev.data)


def test_password_change_refuses_a_wrong_old_password_and_a_short_one(client, world):
    token = _token(client, "drafter", world.password).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    r = client.post("/api/v1/me/password", headers=auth, json={"old_password": "nope", "new_password": "long-enough-1"})
    assert r.status_code == 422 and r.json()["code"] == "wrong_password" and r.json()["message"] == "当前密码不正确"
    r = client.post("/api/v1/me/password", headers=auth, json={"old_password": world.password, "new_password": "short"})
    assert r.status_code == 422 and r.json()["code"] == "password_too_short"
    assert _me(client, token).status_code == 200  # nothing changed


def test_admin_reset_forces_a_change_and_ends_sessions(api, client, world, engine):
    victim = _token(client, "head_a", world.password).json()["token"]
    r = api.as_("admin").post(f"/api/v1/users/{world.head_a}/reset", json={})
    assert r.status_code == 200, r.text
    temporary = r.json()["temporary_password"]
    assert len(temporary) >= 8 and r.json()["login"] == "head_a"
    assert _me(client, victim).status_code == 401
    assert _token(client, "head_a", world.password).status_code == 401
    t = _token(client, "head_a", temporary)
    assert t.status_code == 200 and t.json()["must_change_password"] is True
    auth = {"Authorization": f"Bearer {t.json()['token']}"}
    r = client.get("/api/v1/me", headers=auth)
    assert r.status_code == 403 and r.json()["code"] == "password_change_required"
    r = client.post("/api/v1/me/password", headers=auth,
                    json={"old_password": temporary, "new_password": "head-a-own-pw"})
    assert r.status_code == 200
    assert _me(client, r.json()["token"]).status_code == 200
    with Session(engine) as s:
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "user.reset")).one()
        assert ev.target_id == world.head_a and temporary not in str(ev.data)
        assert not s.get(User, world.head_a).must_change_password


def test_admin_reset_with_a_given_password_and_non_admin_refused(api, world):
    r = api.as_("drafter").post(f"/api/v1/users/{world.head_a}/reset", json={})
    assert r.status_code == 403 and r.json()["code"] == "admin_required"
    r = api.as_("admin").post(f"/api/v1/users/{world.head_a}/reset", json={"password": "given-temp-pw"})
    assert r.json()["temporary_password"] == "given-temp-pw"
    r = api.as_("admin").post(f"/api/v1/users/{world.head_a}/reset", json={"password": "short"})
    assert r.status_code == 422 and r.json()["code"] == "password_too_short"
    assert api.as_("admin").post("/api/v1/users/999999/reset", json={}).status_code == 404


def test_deactivate_ends_tokens_and_activate_restores_login(api, client, world, engine):
    token = _token(client, "leader", world.password).json()["token"]
    r = api.as_("admin").post(f"/api/v1/users/{world.leader}/deactivate")
    assert r.status_code == 200 and r.json()["active"] is False
    assert _me(client, token).status_code == 401
    assert _token(client, "leader", world.password).status_code == 403
    r = api.as_("admin").post(f"/api/v1/users/{world.leader}/deactivate")
    assert r.status_code == 409 and r.json()["code"] == "already_inactive"
    r = api.as_("admin").post(f"/api/v1/users/{world.leader}/activate")
    assert r.status_code == 200 and r.json()["active"] is True
    assert _me(client, token).status_code == 401  # old tokens stay ended
    assert _token(client, "leader", world.password).status_code == 200
    r = api.as_("admin").post(f"/api/v1/users/{world.admin}/deactivate")
    assert r.status_code == 409 and r.json()["code"] == "cannot_deactivate_self"
    with Session(engine) as s:
        actions = [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.target_id == world.leader,
                                                                     AuditEvent.target_type == "user"))]
    assert "user.deactivate" in actions and "user.activate" in actions


def test_one_address_locks_a_login_only_for_itself(client_from, world, engine):
    attacker, leader_pc = client_from("203.0.113.9"), client_from("10.1.2.3")
    answers = [_token(attacker, "leader", f"guess-{i}") for i in range(login_throttle.PAIR_LIMIT)]
    assert [a.status_code for a in answers] == [401] * 4 + [429]
    assert answers[-1].json()["code"] == "account_locked"
    r = _token(attacker, "leader", world.password)  # even the right password, from the attacker's address
    assert r.status_code == 429 and "分钟后再试" in r.json()["message"]
    assert _token(leader_pc, "leader", world.password).status_code == 200  # the leader is not locked out
    with Session(engine) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "auth.locked")).all()
    assert [e.target_id for e in events] == [world.leader]


def test_unknown_login_is_locked_like_a_real_one(client_from):
    c = client_from("203.0.113.10")
    codes = [_token(c, "nobody-here", "guess").status_code for _ in range(login_throttle.PAIR_LIMIT + 1)]
    assert codes == [401] * 4 + [429, 429]


def test_one_address_trying_many_logins_is_throttled(client_from, world):
    c = client_from("203.0.113.11")
    for i in range(login_throttle.ADDRESS_LIMIT):
        assert _token(c, f"user{i}", "guess").status_code == 401
    r = _token(c, "drafter", world.password)
    assert r.status_code == 429 and r.json()["code"] == "too_many_attempts"
    assert _token(client_from("10.9.9.9"), "drafter", world.password).status_code == 200


def test_many_addresses_lock_the_account_and_the_admin_unlocks_it(api, client_from, world):
    for i in range(login_throttle.ACCOUNT_LOCK_ADDRESSES):
        assert _token(client_from(f"198.51.100.{i + 1}"), "principal", "guess").status_code == 401
    home = client_from("10.0.0.5")
    r = _token(home, "principal", world.password)
    assert r.status_code == 429 and r.json()["code"] == "account_locked"
    listed = {u["login"]: u for u in api.as_("admin").get("/api/v1/users").json()}
    assert listed["principal"]["locked"] is True
    r = api.as_("admin").post(f"/api/v1/users/{world.principal}/unlock")
    assert r.status_code == 200 and r.json()["locked"] is False
    assert _token(home, "principal", world.password).status_code == 200


def test_a_good_login_clears_that_address_failures(client_from, world):
    c = client_from("203.0.113.12")
    for _ in range(login_throttle.PAIR_LIMIT - 1):
        _token(c, "drafter", "guess")
    assert _token(c, "drafter", world.password).status_code == 200
    assert _token(c, "drafter", "guess").json()["message"] == "登录名或密码错误"  # counting starts again


def test_backward_clock_step_keeps_tokens_valid(client, world, monkeypatch):
    token = _token(client, "drafter", world.password).json()["token"]
    monkeypatch.setattr(auth_sessions, "utcnow", lambda: utcnow() - timedelta(hours=3))
    assert _me(client, token).status_code == 200
    monkeypatch.setattr(auth_sessions, "utcnow", lambda: utcnow() + timedelta(hours=13))
    r = _me(client, token)
    assert r.status_code == 401 and r.json()["code"] == "token_expired"


def test_malformed_token_request_is_422_in_chinese(client, world):
    r = client.post("/api/v1/auth/token", content=b'{"login": "drafter", ', headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["code"] == "validation_error"
    assert r.json()["message"] == "JSON 格式错误，无法解析"
