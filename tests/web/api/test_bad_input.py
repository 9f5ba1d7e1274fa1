"""Issue 2's "bad input": each gets a clear 4xx `{code, message}` and changes nothing."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from content.models import Item, Revision
from tests.web.api.util import item_body, snapshot

API = "/api/v1/items"


def assert_refused(engine, call, status: int, code: str) -> dict:
    before = snapshot(engine)
    r = call()
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code, body
    assert body["message"] and not body["message"].isascii(), body  # a Chinese sentence
    assert "Traceback" not in r.text
    assert snapshot(engine) == before
    return body


def new_item(api) -> int:
    r = api.as_("drafter").post(API, json=item_body())
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_unknown_item_is_404_everywhere(api, engine):
    for call in (
        lambda: api.as_("drafter").get(f"{API}/424242"),
        lambda: api.as_("drafter").patch(f"{API}/424242", json={"title": "x"}),
        lambda: api.as_("head_a").post(f"{API}/424242/approve", json={}),
        lambda: api.as_("drafter").post(f"{API}/424242/submit"),
        lambda: api.as_("drafter").get(f"{API}/424242/revisions"),
    ):
        assert_refused(engine, call, 404, "item_not_found")


def test_unknown_revision_and_unknown_filters_are_404(api, engine):
    item_id = new_item(api)
    assert_refused(engine, lambda: api.as_("drafter").get(f"{API}/{item_id}/revisions/9"), 404, "revision_not_found")
    assert_refused(engine, lambda: api.as_("drafter").get(f"{API}/{item_id}/revisions/diff", params={"old": 1, "new": 7}),
                   404, "revision_not_found")
    assert_refused(engine, lambda: api.as_("drafter").get(API, params={"department": "无此部门"}), 404,
                   "department_not_found")
    assert_refused(engine, lambda: api.as_("drafter").get(API, params={"topic": "无此栏目"}), 404, "unknown_topic")


def test_item_of_another_org_is_invisible(api, engine, world):
    from content import accounts
    from content.seed import seed_org

    item_id = new_item(api)
    with Session(engine) as s:
        other, _ = seed_org(s, code="other-town", name="另一镇")
        accounts.create_department(s, org_id=other.id, name="党政办2")
        accounts.create_user(s, org_id=other.id, login="outsider", name="外镇管理员", password=world.password,
                             roles="admin,dept_head", department="党政办2")
        s.commit()
    assert_refused(engine, lambda: api.as_("outsider").get(f"{API}/{item_id}"), 404, "item_not_found")
    assert_refused(engine, lambda: api.as_("outsider").patch(f"{API}/{item_id}", json={"title": "x"}), 404,
                   "item_not_found")
    assert api.as_("outsider").get(API).json()["data"] == []


def test_malformed_json_is_422_in_chinese(api, engine):
    item_id = new_item(api)
    headers = {**api.as_("drafter").headers, "Content-Type": "application/json"}
    for url, method in ((API, "POST"), (f"{API}/{item_id}", "PATCH"), (f"{API}/{item_id}/submit", "POST")):
        body = assert_refused(engine, lambda u=url, m=method: api.client.request(
            m, u, content=b'{"title": "unterminated', headers=headers), 422, "validation_error")
        assert body["message"] == "JSON 格式错误，无法解析"


def test_wrong_types_and_unknown_fields_are_422(api, engine):
    for bad in ({"title": None}, {"title": "ok", "channels": "portal"}, {"title": "ok", "publish_at": "明天"},
                {"title": "ok", "colour": "red"}, {"body_html": "<p>没有标题</p>"}):
        body = assert_refused(engine, lambda b=bad: api.as_("drafter").post(API, json=b), 422, "validation_error")
        assert body["message"].startswith("字段校验未通过")


def test_oversize_body_is_413(api, engine, settings):
    huge = item_body(body_html="<p>" + "长" * settings.max_body_bytes + "</p>")
    body = assert_refused(engine, lambda: api.as_("drafter").post(API, json=huge), 413, "body_too_large")
    assert "过大" in body["message"]
    # Chunked (no Content-Length) bodies are cut off too.
    raw = json.dumps(huge).encode()
    assert_refused(engine, lambda: api.client.post(
        API, content=iter([raw[i:i + 65536] for i in range(0, len(raw), 65536)]),
        headers={**api.as_("drafter").headers, "Content-Type": "application/json"}), 413, "body_too_large")


def test_title_and_digest_over_the_limits(api, engine):
    item_id = new_item(api)
    for field, value, code in (("title", "标" * 65, "title_too_long"), ("digest", "摘" * 121, "digest_too_long"),
                               ("title", "   ", "title_required")):
        body = assert_refused(engine, lambda f=field, v=value: api.as_("drafter").post(API, json=item_body(**{f: v})),
                              422, code)
        assert body["data"]["field"] == field
        assert_refused(engine, lambda f=field, v=value: api.as_("drafter").patch(f"{API}/{item_id}", json={f: v}),
                       422, code)
    # Exactly at the limit is fine.
    r = api.as_("drafter").post(API, json=item_body(title="标" * 64, digest="摘" * 120))
    assert r.status_code == 201, r.text


def test_unknown_topic_channel_and_naive_time_are_422(api, engine):
    cases = [({"topic": "无此栏目"}, "unknown_topic"), ({"channels": ["portal", "weibo"]}, "unknown_channel"),
             ({"publish_at": "2030-01-01T09:00:00"}, "naive_datetime"), ({"origin": "copied"}, "unknown_origin")]
    for overrides, code in cases:
        assert_refused(engine, lambda o=overrides: api.as_("drafter").post(API, json=item_body(**o)), 422, code)


def test_html_with_scripts_is_stored_sanitized(api, engine):
    dirty = ('<p onclick="steal()">正文<script>alert(1)</script>'
             '<a href="javascript:alert(2)">链接</a><img src="x.png" onerror="alert(3)" alt="图"></p>'
             '<iframe src="https://evil.example"></iframe><style>p{}</style>')
    r = api.as_("drafter").post(API, json=item_body(body_html=dirty))
    assert r.status_code == 201, r.text
    item_id = r.json()["id"]
    with Session(engine) as s:
        stored = s.get(Item, item_id).body_html
        revision = s.exec(select(Revision).where(Revision.item_id == item_id)).one().content["body_html"]
    for html in (stored, revision, r.json()["body_html"]):
        lowered = html.lower()
        for needle in ("<script", "onclick", "onerror", "javascript:", "<iframe", "<style", "alert("):
            assert needle not in lowered, (needle, html)
        assert "正文" in html and "链接" in html
    r = api.as_("drafter").patch(f"{API}/{item_id}", json={"body_html": "<p>改<script>x()</script></p>"})
    assert r.json()["body_html"] == "<p>改</p>"


def test_submit_with_check_errors_is_refused_and_lists_them(api, engine):
    r = api.as_("drafter").post(API, json=item_body(body_html='<p>见 <a href="file:///C:/内部.doc">附件</a></p>',
                                                    topic=None, channels=[]))
    item_id = r.json()["id"]
    detail = api.as_("drafter").get(f"{API}/{item_id}").json()
    assert {e["code"] for e in detail["check_errors"]} >= {"file_link", "topic_required", "channels_required"}
    assert "submit" in detail["available_actions"]
    body = assert_refused(engine, lambda: api.as_("drafter").post(f"{API}/{item_id}/submit"), 422, "checks_failed")
    assert {e["code"] for e in body["data"]["errors"]} >= {"file_link", "topic_required"}


def test_actions_in_the_wrong_state_and_by_the_wrong_role(api, engine):
    item_id = new_item(api)
    # Approving or rejecting a draft, recalling a draft, emergency on a draft.
    assert_refused(engine, lambda: api.as_("head_a").post(f"{API}/{item_id}/approve", json={}), 403, "not_allowed")
    assert_refused(engine, lambda: api.as_("drafter").post(f"{API}/{item_id}/recall"), 403, "not_allowed")
    assert_refused(engine, lambda: api.as_("principal").post(f"{API}/{item_id}/emergency-publish",
                                                             json={"reason": "急"}), 403, "not_allowed")
    # Only the drafter submits; a leader cannot create items.
    assert_refused(engine, lambda: api.as_("drafter2").post(f"{API}/{item_id}/submit"), 403, "not_allowed")
    assert_refused(engine, lambda: api.as_("leader").post(API, json=item_body()), 403, "not_drafter")
    # Unknown action path, and an action body with unknown keys.
    assert api.as_("drafter").post(f"{API}/{item_id}/publish-now").status_code in (404, 405)
    assert_refused(engine, lambda: api.as_("drafter").post(f"{API}/{item_id}/submit", json={"force": True}), 422,
                   "validation_error")


def test_requests_without_a_token_change_nothing(api, engine):
    item_id = new_item(api)
    for call in (lambda: api.client.post(API, json=item_body()),
                 lambda: api.client.patch(f"{API}/{item_id}", json={"title": "x"}),
                 lambda: api.client.post(f"{API}/{item_id}/submit")):
        assert_refused(engine, call, 401, "unauthorized")
