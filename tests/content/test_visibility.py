"""One visibility rule for every face (issue 14): web, API, publications API and preview links.

Hidden items answer exactly like missing ones; a drafter or department head without a department sees
only their own items; preview links end when the item is revised or withdrawn.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.factory import create_app
from content import accounts, store
from content.access import can_view, list_scope
from content.errors import Invalid
from content.models import Item, User
from content.preview import make_preview_token
from content.settings import Settings
from tests.content.helpers import act, make_item
from tests.web.api.conftest import Api

SECRET = "test-secret-key-for-visibility"


@pytest.fixture
def client(engine, db_url, tmp_path):
    settings = Settings(database_url=db_url, secret_key=SECRET, files_dir=str(tmp_path / "files"))
    with TestClient(create_app(settings, engine=engine), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def api(client, world) -> Api:
    return Api(client, world.password)


def _deptless_user(engine, world, login: str, roles: str) -> int:
    """A drafter or head whose department is unset (as old data or a direct database edit leaves it)."""
    with Session(engine) as s:
        user = accounts.create_user(s, org_id=world.org_id, login=login, name=login, password=world.password,
                                    roles="leader")
        s.flush()
        for row in s.exec(accounts.select(accounts.UserRole).where(accounts.UserRole.user_id == user.id)):
            row.role = roles
            s.add(row)
        s.commit()
        return user.id


def test_hidden_item_answers_like_a_missing_one_everywhere_in_the_api(api, engine, world):
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    act(engine, world.head_a, item_id, "reject", reason="数据需核实")
    other = api.as_("drafter_b")
    missing = other.get("/api/v1/items/999999").json()
    for call in (lambda: other.get(f"/api/v1/items/{item_id}"),
                 lambda: other.get(f"/api/v1/items/{item_id}/revisions"),
                 lambda: other.patch(f"/api/v1/items/{item_id}", json={"title": "偷改"}),
                 lambda: other.post(f"/api/v1/items/{item_id}/submit"),
                 lambda: other.post(f"/api/v1/items/{item_id}/approve")):
        r = call()
        assert r.status_code == 404 and r.json()["code"] == missing["code"] == "item_not_found"
        assert "驳回" not in r.text and "数据需核实" not in r.text and "状态" not in r.text
    listed = other.get("/api/v1/items").json()["data"]
    assert item_id not in [i["id"] for i in listed]


def test_publications_api_is_scoped_by_the_same_rule(api, engine, world):
    item_id = make_item(engine, world.drafter, channels=["portal"])
    for user, action in ((world.drafter, "submit"), (world.head_a, "approve"), (world.leader, "approve")):
        act(engine, user, item_id, action)
    mine = api.as_("drafter").get("/api/v1/publications").json()
    assert item_id in {p["item_id"] for p in mine}
    theirs = api.as_("drafter_b").get("/api/v1/publications")
    assert theirs.status_code == 200 and item_id not in {p["item_id"] for p in theirs.json()}
    r = api.as_("drafter_b").get(f"/api/v1/publications?item_id={item_id}")
    assert r.status_code == 404 and r.json()["code"] == "item_not_found"
    assert api.as_("drafter_b").get("/api/v1/publications?item_id=999999").json()["code"] == "item_not_found"
    pub_id = mine[0]["id"]
    refused = api.as_("drafter_b").post(f"/api/v1/publications/{pub_id}/retry")
    assert refused.status_code == 404 and refused.json()["code"] == "publication_not_found"
    assert api.as_("admin").get("/api/v1/publications").json()[0]["item_id"] == item_id


@pytest.mark.parametrize("role", ["drafter", "dept_head"])
def test_no_department_means_only_own_items_not_everything(api, client, engine, world, role):
    item_id = make_item(engine, world.drafter)
    _deptless_user(engine, world, "floating", role)
    listed = api.as_("floating").get("/api/v1/items").json()
    assert listed["data"] == [] and listed["count"] == 0
    assert api.as_("floating").get(f"/api/v1/items/{item_id}").status_code == 404
    incomplete = api.as_("floating").get("/api/v1/items?incomplete=true").json()
    assert incomplete["data"] == []
    with Session(engine) as s:
        user = s.get(User, s.exec(accounts.select(User).where(User.login == "floating")).one().id)
        assert list_scope(user, {role}) == {"drafter_id": user.id}
        assert not can_view(s, user, s.get(Item, item_id), {role})
    # the web list and calendar say the same
    client.post("/login", data={"login": "floating", "password": world.password, "next": "/"})
    page = client.get("/items", headers={"accept": "text/html"})
    assert page.status_code == 200 and "关于召开安全生产会议的通知" not in page.text


def test_assigning_drafter_or_head_without_a_department_is_refused(engine, world):
    with Session(engine) as s:
        leader = s.get(User, world.leader)  # a leader has no department
        for roles in ("drafter", "dept_head", "leader,dept_head"):
            with pytest.raises(Invalid) as exc:
                accounts.set_roles(s, user=leader, roles=roles)
            assert exc.value.code == "department_required" and "部门" in exc.value.message
        s.rollback()
    with Session(engine) as s:
        assert accounts.roles_of(s, world.leader) == {"leader"}


def test_preview_link_ends_when_the_item_is_revised_or_withdrawn(client, engine, world):
    item_id = make_item(engine, world.drafter, channels=["portal"])
    with Session(engine) as s:
        rev1 = s.get(Item, item_id).current_revision_id
    first = f"/m/preview/{make_preview_token(SECRET, item_id=item_id, revision_id=rev1)}"
    assert client.get(first).status_code == 200
    with Session(engine) as s:
        store.update_item(s, actor=s.get(User, world.drafter), item_id=item_id, changes={"title": "改过的标题"})
        s.commit()
        rev2 = s.get(Item, item_id).current_revision_id
    ended = client.get(first, headers={"accept": "text/html"})
    assert ended.status_code == 403 and "已失效" in ended.text and "改过的标题" not in ended.text
    second = f"/m/preview/{make_preview_token(SECRET, item_id=item_id, revision_id=rev2)}"
    assert "改过的标题" in client.get(second).text
    for user, action in ((world.drafter, "submit"), (world.head_a, "approve"), (world.leader, "approve")):
        act(engine, user, item_id, action)
    assert client.get(second).status_code == 200  # approval keeps the revision: the link still shows it
    act(engine, world.leader, item_id, "withdraw", reason="内容有误")
    r = client.get(second, headers={"accept": "text/html"})
    assert r.status_code == 403 and "已失效" in r.text and "改过的标题" not in r.text
