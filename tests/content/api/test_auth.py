"""Token auth: issue, use, refuse, lock out."""

from __future__ import annotations

from sqlmodel import Session, select

from content import accounts
from content.api.auth import MAX_FAILED_LOGINS, issue_token
from content.models import AuditEvent, User


def _token(client, login, password):
    return client.post("/api/v1/auth/token", json={"login": login, "password": password})


def test_token_then_me(client, world):
    r = _token(client, "drafter", world.password)
    assert r.status_code == 200
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert me.status_code == 200
    assert me.json()["login"] == "drafter"
    assert me.json()["department"] == "党政办"
    assert me.json()["roles"] == ["drafter"]


def test_wrong_password_and_unknown_login_are_401_in_chinese(client, world):
    for login, pw in [("drafter", "wrong-password"), ("nobody", world.password)]:
        r = _token(client, login, pw)
        assert r.status_code == 401
        assert r.json() == {"code": "invalid_credentials", "message": "登录名或密码错误"}


def test_missing_garbage_and_tampered_tokens_are_401(client, world):
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    assert "登录" in r.json()["message"]
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401 and r.json()["code"] == "token_invalid"
    good = _token(client, "drafter", world.password).json()["token"]
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {good[:-2]}xx"})
    assert r.status_code == 401 and r.json()["code"] == "token_invalid"
    # Signed with another key: refused.
    with Session(client.app.state.engine) as s:
        forged = issue_token("another-key", s.get(User, world.admin))
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401


def test_inactive_user_refused_at_login_and_with_an_old_token(client, world, engine):
    token = _token(client, "drafter", world.password).json()["token"]
    with Session(engine) as s:
        u = s.get(User, world.drafter)
        u.active = False
        s.add(u)
        s.commit()
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and r.json()["code"] == "account_inactive"
    r = _token(client, "drafter", world.password)
    assert r.status_code == 403 and r.json()["code"] == "account_inactive"


def test_password_change_revokes_old_tokens(client, world, engine):
    token = _token(client, "drafter", world.password).json()["token"]
    with Session(engine) as s:
        u = s.get(User, world.drafter)
        u.password_hash = accounts.hash_password("a-new-password")
        s.add(u)
        s.commit()
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


def test_lockout_after_repeated_failures(client, world, engine):
    for _ in range(MAX_FAILED_LOGINS):
        assert _token(client, "head_a", "wrong-password").status_code == 401
    # Now even the right password is refused while locked.
    r = _token(client, "head_a", world.password)
    assert r.status_code == 429 and r.json()["code"] == "account_locked"
    assert "锁定" in r.json()["message"]
    with Session(engine) as s:
        u = s.get(User, world.head_a)
        assert u.locked_until is not None
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "auth.locked")).all()
        assert [e.target_id for e in events] == [world.head_a]
        # Lock expired: the right password works and clears the counters.
        u.locked_until = None
        u.failed_logins = 3
        s.add(u)
        s.commit()
    assert _token(client, "head_a", world.password).status_code == 200
    with Session(engine) as s:
        assert s.get(User, world.head_a).failed_logins == 0


def test_malformed_token_request_is_422_in_chinese(client, world):
    r = client.post("/api/v1/auth/token", content=b'{"login": "drafter", ', headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["code"] == "validation_error"
    assert r.json()["message"] == "JSON 格式错误，无法解析"
