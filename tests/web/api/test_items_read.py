"""Reading items: the detail view, list filters, revisions and their diff, OpenAPI."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from content.models import Item
from content.timeutil import utcnow
from tests.web.api.util import item_body

API = "/api/v1/items"


def make(api, login="drafter", **overrides) -> int:
    r = api.as_(login).post(API, json=item_body(**overrides))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def ids(response) -> set[int]:
    assert response.status_code == 200, response.text
    return {i["id"] for i in response.json()["data"]}


def test_create_returns_the_item_with_id_state_and_names(api):
    r = api.as_("drafter").post(API, json=item_body(topic="科教文体卫生", area="义务教育", author="党政办",
                                                    publish_at="2030-05-01T09:00:00+08:00"))
    assert r.status_code == 201
    data = r.json()
    assert data["state"] == "draft" and data["state_label"] == "草稿" and data["gate"] is None
    assert (data["topic"], data["area"], data["department"], data["drafter"]) == ("科教文体卫生", "义务教育", "党政办",
                                                                                "drafter")
    assert data["channels"] == ["portal", "mp"]
    assert data["publish_at"].startswith("2030-05-01T01:00:00")  # kept in UTC
    # Writing the same instant again (in another offset) is not a change: no new revision.
    item_id = data["id"]
    r = api.as_("drafter").patch(f"{API}/{item_id}", json={"publish_at": "2030-05-01T01:00:00Z"})
    assert r.json()["current_revision_id"] == data["current_revision_id"]
    assert len(api.as_("drafter").get(f"{API}/{item_id}/revisions").json()) == 1
    assert len(data["content_hash"]) == 64
    assert data["available_actions"] == ["submit", "edit", "flag-sensitive"]


def test_detail_reports_gate_assignees_actions_and_history_per_caller(api):
    item_id = make(api)
    api.as_("drafter").post(f"{API}/{item_id}/submit")
    as_head = api.as_("head_a").get(f"{API}/{item_id}").json()
    assert (as_head["state"], as_head["gate"], as_head["gate_label"]) == ("in_review", "dept_head", "供稿部门负责人审核")
    assert as_head["current_assignees"] == ["head_a"]
    assert {"approve", "reject", "edit"} <= set(as_head["available_actions"])
    as_drafter = api.as_("drafter").get(f"{API}/{item_id}").json()
    assert "approve" not in as_drafter["available_actions"] and "recall" in as_drafter["available_actions"]
    assert api.as_("leader_b").get(f"{API}/{item_id}").json()["available_actions"] == []
    [review] = as_head["review_history"]
    assert review["state"] == "in_progress"
    assert [(s["gate"], s["decision"], s["decision_label"]) for s in review["steps"]] == [
        ("dept_head", "pending", "待审核")]


def test_list_filters(api, engine, world):
    a1 = make(api, title="党政办安全生产通知", topic="其他")
    a2 = make(api, title="党政办教育简报", topic="科教文体卫生", channels=["portal"])
    b1 = make(api, "drafter_b", title="经发办招商公告", topic="其他", digest="招商引资")
    api.as_("drafter").post(f"{API}/{a1}/submit")
    # Backdate one item by ten days to test the date range (Asia/Shanghai days).
    with Session(engine) as s:
        old = s.get(Item, b1)
        old.created_at = utcnow() - timedelta(days=10)
        s.add(old)
        s.commit()
    get = api.as_("admin").get
    assert ids(get(API)) == {a1, a2, b1}
    assert ids(get(API, params={"state": "in_review"})) == {a1}
    assert ids(get(API, params=[("state", "draft"), ("state", "in_review")])) == {a1, a2, b1}
    assert ids(get(API, params={"department": "经济发展办"})) == {b1}
    assert ids(get(API, params={"department_id": world.dept_a})) == {a1, a2}
    assert ids(get(API, params={"topic": "其他"})) == {a1, b1}
    assert ids(get(API, params={"channel": "mp"})) == {a1, b1}
    assert ids(get(API, params={"q": "招商"})) == {b1}
    today = utcnow().date()
    assert ids(get(API, params={"since": str(today - timedelta(days=2))})) == {a1, a2}
    assert ids(get(API, params={"until": str(today - timedelta(days=5))})) == {b1}
    page = get(API, params={"limit": 2, "offset": 0}).json()
    assert page["count"] == 2 and page["limit"] == 2
    assert len(ids(get(API, params={"limit": 2, "offset": 2}))) == 1
    for bad in ({"state": "lost"}, {"limit": 0}, {"since": "昨天"}):
        r = get(API, params=bad)
        assert r.status_code == 422 and r.json()["code"] == "validation_error"
    r = get(API, params={"since": "2025-02-01", "until": "2025-01-01"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_range"


def test_revisions_and_diff(api):
    item_id = make(api, title="第一版标题", body_html="<p>第一段。</p>")
    api.as_("drafter").patch(f"{API}/{item_id}", json={"title": "第二版标题"})
    api.as_("drafter").patch(f"{API}/{item_id}", json={"body_html": "<p>第一段。</p><p>新增第二段。</p>"})
    # A PATCH that changes nothing makes no revision.
    api.as_("drafter").patch(f"{API}/{item_id}", json={"title": "第二版标题"})
    hidden = api.as_("head_b").get(f"{API}/{item_id}/revisions")  # another department's draft
    assert hidden.status_code == 404 and hidden.json()["code"] == "item_not_found"  # hidden = missing
    revs = api.as_("head_a").get(f"{API}/{item_id}/revisions").json()
    assert [r["number"] for r in revs] == [1, 2, 3]
    assert all(r["created_by_name"] == "drafter" and r["content"] is None for r in revs)
    assert len({r["content_hash"] for r in revs}) == 3
    full = api.as_("drafter").get(f"{API}/{item_id}/revisions/1").json()
    assert full["content"]["title"] == "第一版标题"

    latest = api.as_("drafter").get(f"{API}/{item_id}/revisions/diff").json()
    assert (latest["old"], latest["new"]) == (2, 3)
    [change] = latest["changes"]
    assert change["field"] == "body_html" and change["label"] == "正文"
    assert "+<p>新增第二段。</p>" in change["diff"]
    span = api.as_("drafter").get(f"{API}/{item_id}/revisions/diff", params={"old": 1, "new": 3}).json()
    assert {c["field"] for c in span["changes"]} == {"title", "body_html"}
    title = next(c for c in span["changes"] if c["field"] == "title")
    assert (title["old"], title["new"]) == ("第一版标题", "第二版标题")


def test_openapi_lists_the_interface_names(client):
    spec = client.get("/api/openapi.json").json()
    paths = spec["paths"]
    assert "/api/v1/auth/token" in paths and "/api/v1/me" in paths
    assert {"post", "get"} <= set(paths["/api/v1/items"]) and {"get", "patch"} <= set(paths["/api/v1/items/{item_id}"])
    for action in ("submit", "approve", "reject", "recall", "flag-sensitive", "emergency-publish"):
        assert "post" in paths[f"/api/v1/items/{{item_id}}/{action}"]
    assert client.get("/api/docs").status_code == 200


def test_pending_reviews_lists_what_the_caller_may_decide_now(api):
    a = make(api)
    b = make(api, "drafter_b")
    for login, item_id in (("drafter", a), ("drafter_b", b)):
        assert api.as_(login).post(f"{API}/{item_id}/submit").status_code == 200

    def pending(login):
        return [i["id"] for i in api.as_(login).get("/api/v1/reviews/pending").json()["data"]]

    assert pending("head_a") == [a] and pending("head_b") == [b]
    assert pending("leader") == [] and pending("drafter") == []
    api.as_("head_a").post(f"{API}/{a}/approve", json={})
    assert pending("head_a") == [] and pending("leader") == [a] and pending("leader_b") == []
