"""Admin user endpoints and their refusals."""

from __future__ import annotations

from sqlmodel import Session, func, select

from content.models import User


def _count_users(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(User)).one()


def test_admin_lists_and_creates_users(api, engine):
    r = api.as_("admin").get("/api/v1/users")
    assert r.status_code == 200
    logins = {u["login"] for u in r.json()}
    assert {"drafter", "head_a", "leader", "principal", "admin"} <= logins
    leader = next(u for u in r.json() if u["login"] == "leader")
    assert leader["oversees"] == ["党政办"] and leader["role_labels"] == ["分管领导"]

    r = api.as_("admin").post("/api/v1/users", json={
        "login": "new_head", "name": "新负责人", "password": "long-enough-pw", "roles": ["dept_head", "drafter"],
        "department": "经济发展办"})
    assert r.status_code == 201, r.text
    assert r.json()["roles"] == ["drafter", "dept_head"] and r.json()["department"] == "经济发展办"
    assert api.client.post("/api/v1/auth/token", json={"login": "new_head", "password": "long-enough-pw"}).status_code == 200


def test_non_admin_cannot_list_or_create_users(api, engine):
    before = _count_users(engine)
    r = api.as_("leader").get("/api/v1/users")
    assert r.status_code == 403 and r.json()["code"] == "admin_required"
    r = api.as_("drafter").post("/api/v1/users", json={
        "login": "x", "name": "x", "password": "long-enough-pw", "roles": ["admin"]})
    assert r.status_code == 403
    assert _count_users(engine) == before


def test_bad_user_creation_changes_nothing(api, engine):
    before = _count_users(engine)
    cases = [
        ({"login": "drafter", "name": "重名", "password": "long-enough-pw", "roles": ["admin"]}, 409, "login_taken"),
        ({"login": "y", "name": "y", "password": "long-enough-pw", "roles": ["drafter"]}, 422, "department_required"),
        ({"login": "y", "name": "y", "password": "long-enough-pw", "roles": ["drafter"], "department": "无此部门"},
         404, "department_not_found"),
        ({"login": "y", "name": "y", "password": "long-enough-pw", "roles": ["leader"], "oversees": ["无此部门"]},
         404, "department_not_found"),
        ({"login": "y", "name": "y", "password": "short", "roles": ["admin"]}, 422, "validation_error"),
        ({"login": "y", "name": "y", "password": "long-enough-pw", "roles": ["king"]}, 422, "validation_error"),
    ]
    for body, status, code in cases:
        r = api.as_("admin").post("/api/v1/users", json=body)
        assert (r.status_code, r.json()["code"]) == (status, code), body
        assert r.json()["message"]
    assert _count_users(engine) == before


def test_set_roles_and_unknown_user(api, world):
    r = api.as_("admin").put(f"/api/v1/users/{world.drafter2}/roles",
                             json={"roles": ["drafter", "dept_head"]})
    assert r.status_code == 200 and r.json()["roles"] == ["drafter", "dept_head"]
    r = api.as_("admin").get("/api/v1/users/999999")
    assert r.status_code == 404 and r.json()["code"] == "user_not_found"
