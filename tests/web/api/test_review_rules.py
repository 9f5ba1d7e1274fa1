"""One test per rule of the review chain (issue 2 / DESIGN §4), each trying to break it through the API.

Every refused request is checked to have changed nothing (`snapshot` re-reads the database).
"""

from __future__ import annotations

from sqlmodel import Session, select

from content.models import Publication, Revision
from tests.web.api.util import add_user, audit_actions, grant, item_body, snapshot

API = "/api/v1/items"


def create(api, login="drafter", **overrides) -> int:
    r = api.as_(login).post(API, json=item_body(**overrides))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def submitted(api, login="drafter", **overrides) -> int:
    item_id = create(api, login, **overrides)
    r = api.as_(login).post(f"{API}/{item_id}/submit")
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["gate"]) == ("in_review", "dept_head")
    return item_id


def act(api, login, item_id, action, **body):
    return api.as_(login).post(f"{API}/{item_id}/{action}", json=body)


def ok(response, state=None, gate="unset"):
    assert response.status_code == 200, response.text
    data = response.json()
    if state is not None:
        assert data["state"] == state, data
    if gate != "unset":
        assert data["gate"] == gate, data
    return data


def refused(engine, call, status, code):
    """Run `call`, assert the error answer, and that the database is exactly as before."""
    before = snapshot(engine)
    r = call()
    assert r.status_code == status, r.text
    assert r.json()["code"] == code, r.json()
    assert r.json()["message"] and not r.json()["message"].isascii()
    assert snapshot(engine) == before
    return r.json()


def test_happy_path_drafter_head_leader(api, engine):
    item_id = submitted(api)
    ok(act(api, "head_a", item_id, "approve", comment="同意"), "in_review", "leader")
    data = ok(act(api, "leader", item_id, "approve"), "approved", None)
    assert [s["decided_by_name"] for s in data["review_history"][-1]["steps"]] == ["head_a", "leader"]
    assert data["review_history"][-1]["steps"][0]["comment"] == "同意"


def test_nobody_approves_their_own_item(api, engine, world):
    # head_a may draft too; a second head of 党政办 exists so the chain has a reviewer.
    grant(engine, world.head_a, "drafter,dept_head")
    add_user(engine, world.org_id, "head_a2", "dept_head", world.password, department="党政办")
    item_id = submitted(api, "head_a")
    assert "approve" not in api.as_("head_a").get(f"{API}/{item_id}").json()["available_actions"]
    body = refused(engine, lambda: act(api, "head_a", item_id, "approve"), 403, "not_allowed")
    assert "本人" in body["message"]
    ok(act(api, "head_a2", item_id, "approve"), "in_review", "leader")


def test_nobody_approves_an_item_they_edited(api, engine, world):
    add_user(engine, world.org_id, "head_a2", "dept_head", world.password, department="党政办")
    item_id = submitted(api)
    ok(api.as_("head_a2").patch(f"{API}/{item_id}", json={"digest": "负责人修改后的摘要"}), "in_review", "dept_head")
    refused(engine, lambda: act(api, "head_a2", item_id, "approve"), 403, "not_allowed")
    ok(act(api, "head_a", item_id, "approve"), "in_review", "leader")


def test_nobody_approves_at_two_gates(api, engine, world):
    grant(engine, world.head_a, "dept_head,leader", oversees=["党政办"])
    item_id = submitted(api)
    ok(act(api, "head_a", item_id, "approve"), "in_review", "leader")
    body = refused(engine, lambda: act(api, "head_a", item_id, "approve"), 403, "not_allowed")
    assert "两个审核环节" in body["message"]
    ok(act(api, "leader", item_id, "approve"), "approved")


def test_head_of_another_department_cannot_decide(api, engine):
    item_id = submitted(api)
    for action, body in (("approve", {}), ("reject", {"reason": "不行"})):
        # Another department's item is hidden from head_b: it answers like a missing one, state unsaid.
        msg = refused(engine, lambda a=action, b=body: act(api, "head_b", item_id, a, **b), 404, "item_not_found")
        assert msg["message"] == f"稿件 {item_id} 不存在"
    # Nor a leader, the principal or the admin at the department head's gate.
    for login in ("leader", "principal", "admin"):
        refused(engine, lambda u=login: act(api, u, item_id, "approve"), 403, "not_allowed")


def test_leader_not_overseeing_the_department_cannot_decide(api, engine):
    item_id = submitted(api)
    ok(act(api, "head_a", item_id, "approve"), "in_review", "leader")
    body = refused(engine, lambda: act(api, "leader_b", item_id, "approve"), 403, "not_allowed")
    assert "分管" in body["message"]
    # The head's own second request is told the gate was decided, not "您不分管…" (issue #21).
    body = refused(engine, lambda: act(api, "head_a", item_id, "approve"), 409, "already_decided")
    assert "无需重复操作" in body["message"] and "分管" not in body["message"]
    ok(act(api, "leader", item_id, "approve"), "approved")


def test_approval_names_the_hash_it_saw_and_a_stale_hash_is_409(api, engine, world):
    add_user(engine, world.org_id, "head_a2", "dept_head", world.password, department="党政办")
    item_id = submitted(api)
    seen = api.as_("head_a").get(f"{API}/{item_id}").json()["content_hash"]
    ok(api.as_("head_a2").patch(f"{API}/{item_id}", json={"title": "标题在审核人查看后被改过"}))
    body = refused(engine, lambda: act(api, "head_a", item_id, "approve", content_hash=seen), 409, "stale_content")
    assert "刷新" in body["message"]
    fresh = api.as_("head_a").get(f"{API}/{item_id}").json()["content_hash"]
    assert fresh != seen
    data = ok(act(api, "head_a", item_id, "approve", content_hash=fresh), "in_review", "leader")
    assert data["review_history"][-1]["steps"][0]["content_hash"] == fresh


def test_two_approvers_on_one_gate_only_one_decision(api, engine, world):
    add_user(engine, world.org_id, "head_a2", "dept_head", world.password, department="党政办")
    item_id = submitted(api)
    ok(act(api, "head_a", item_id, "approve"), "in_review", "leader")
    # head_a2 was assigned too; they are told it was already decided, and nothing changes.
    body = refused(engine, lambda: act(api, "head_a2", item_id, "approve"), 409, "already_decided")
    assert "head_a" in body["message"]


def test_rejection_needs_a_reason_and_the_drafter_sees_it_with_the_count(api, engine):
    item_id = submitted(api)
    for body in ({}, {"reason": "   "}, {"comment": "只有意见没有理由"}):
        refused(engine, lambda b=body: act(api, "head_a", item_id, "reject", **b), 422, "reason_required")
    refused(engine, lambda: api.as_("head_a").post(f"{API}/{item_id}/reject"), 422, "reason_required")
    ok(act(api, "head_a", item_id, "reject", reason="数据需核实"), "rejected", None)
    ok(act(api, "drafter", item_id, "submit"), "in_review", "dept_head")
    ok(act(api, "head_a", item_id, "reject", reason="第二次：附件缺失"), "rejected")
    seen = api.as_("drafter").get(f"{API}/{item_id}").json()
    assert seen["rejection_count"] == 2
    assert seen["last_rejection_reason"] == "第二次：附件缺失"
    assert "submit" in seen["available_actions"] and "edit" in seen["available_actions"]


def test_locked_while_in_review_except_for_the_current_gate(api, engine):
    item_id = submitted(api)
    for login in ("drafter", "drafter2", "leader", "principal"):
        body = refused(engine, lambda u=login: api.as_(u).patch(f"{API}/{item_id}", json={"title": "偷改"}),
                       403, "edit_locked")
        assert body["message"]
    # Another department's head may not even see the draft.
    refused(engine, lambda: api.as_("head_b").patch(f"{API}/{item_id}", json={"title": "偷改"}), 404, "item_not_found")
    assert "edit" not in api.as_("drafter").get(f"{API}/{item_id}").json()["available_actions"]
    # The drafter may recall it to draft, then edit freely; nobody else may recall.
    refused(engine, lambda: act(api, "head_a", item_id, "recall"), 403, "not_allowed")
    ok(act(api, "drafter", item_id, "recall"), "draft", None)
    ok(api.as_("drafter").patch(f"{API}/{item_id}", json={"title": "撤回后修改"}), "draft")


def test_an_assignee_edit_restarts_the_chain_at_the_first_gate(api, engine):
    item_id = submitted(api)
    ok(act(api, "head_a", item_id, "approve"), "in_review", "leader")
    before_revisions = len(api.as_("leader").get(f"{API}/{item_id}/revisions").json())
    data = ok(api.as_("leader").patch(f"{API}/{item_id}", json={"body_html": "<p>领导修改了正文。</p>"}),
              "in_review", "dept_head")
    assert len(api.as_("leader").get(f"{API}/{item_id}/revisions").json()) == before_revisions + 1
    reviews = data["review_history"]
    assert reviews[-2]["state"] == "voided" and reviews[-1]["state"] == "in_progress"
    diff = api.as_("drafter").get(f"{API}/{item_id}/revisions/diff").json()
    assert [c["field"] for c in diff["changes"]] == ["body_html"]
    # The first gate must approve again; the leader, now an editor, may no longer approve.
    ok(act(api, "head_a", item_id, "approve"), "in_review", "leader")
    refused(engine, lambda: act(api, "leader", item_id, "approve"), 403, "not_allowed")


def test_sensitive_adds_the_principal_gate_and_only_leader_or_principal_clear_it(api, engine):
    item_id = create(api)
    ok(act(api, "drafter", item_id, "flag-sensitive", comment="涉及征收"))
    refused(engine, lambda: act(api, "drafter", item_id, "clear-sensitive"), 403, "not_allowed")
    refused(engine, lambda: api.as_("drafter").patch(f"{API}/{item_id}", json={"sensitive": False}), 403, "not_allowed")
    ok(act(api, "drafter", item_id, "submit"), "in_review", "dept_head")
    refused(engine, lambda: act(api, "head_a", item_id, "clear-sensitive"), 403, "not_allowed")
    ok(act(api, "head_a", item_id, "approve"), "in_review", "leader")
    ok(act(api, "leader", item_id, "approve"), "in_review", "principal")
    refused(engine, lambda: act(api, "head_a", item_id, "clear-sensitive"), 403, "not_allowed")
    ok(act(api, "principal", item_id, "approve"), "approved")


def test_a_leader_clearing_sensitive_removes_the_principal_gate(api, engine):
    item_id = submitted(api, sensitive=True)
    ok(act(api, "head_a", item_id, "approve"), "in_review", "leader")
    ok(act(api, "leader", item_id, "approve"), "in_review", "principal")
    data = ok(act(api, "leader", item_id, "clear-sensitive", comment="经核实不敏感"), "approved")
    assert data["sensitive"] is False


def test_sensitive_word_check_sets_the_flag_on_submit(api, engine):
    item_id = create(api, body_html="<p>关于群众上访问题的答复。</p>")
    data = ok(act(api, "drafter", item_id, "submit"), "in_review", "dept_head")
    assert data["sensitive"] is True
    assert any(w["code"] == "sensitive_word" for w in data["check_warnings"])
    ok(act(api, "head_a", item_id, "approve"))
    ok(act(api, "leader", item_id, "approve"), "in_review", "principal")


def test_a_reviewer_flagging_sensitive_adds_the_gate(api, engine):
    item_id = submitted(api)
    ok(act(api, "head_a", item_id, "flag-sensitive"), "in_review", "dept_head")
    refused(engine, lambda: act(api, "head_b", item_id, "flag-sensitive"), 404, "item_not_found")  # hidden
    ok(act(api, "head_a", item_id, "approve"))
    ok(act(api, "leader", item_id, "approve"), "in_review", "principal")


def test_emergency_publication_needs_principal_and_reason_and_lists_as_incomplete(api, engine):
    item_id = submitted(api)
    ok(act(api, "head_a", item_id, "approve"), "in_review", "leader")
    refused(engine, lambda: act(api, "principal", item_id, "emergency-publish"), 422, "reason_required")
    refused(engine, lambda: act(api, "principal", item_id, "emergency-publish", reason=" "), 422, "reason_required")
    for login in ("leader", "head_a", "drafter", "admin"):
        refused(engine, lambda u=login: act(api, u, item_id, "emergency-publish", reason="急"), 403, "not_allowed")
    data = ok(act(api, "principal", item_id, "emergency-publish", reason="防汛紧急通知"), "approved")
    assert data["review_incomplete"] is True and data["review_status"] == "未完成审核"
    assert {p["channel"] for p in data["publications"]} == {"portal", "mp"}
    listed = api.as_("admin").get(API, params={"incomplete": "true"}).json()["data"]
    assert [(i["id"], i["review_status"]) for i in listed] == [(item_id, "未完成审核")]
    # The skipped gate approves after the fact; then it is no longer incomplete.
    assert "approve" in api.as_("leader").get(f"{API}/{item_id}").json()["available_actions"]
    data = ok(act(api, "leader", item_id, "approve", comment="事后补审"), "approved")
    assert data["review_incomplete"] is False and data["review_status"] is None
    assert api.as_("admin").get(API, params={"incomplete": "true"}).json()["data"] == []


def test_every_transition_writes_an_audit_event(api, engine, world):
    item_id = create(api)
    expected = [("item.create", None)]
    steps = [
        ("drafter", "submit", {}, "in_review"),
        ("drafter", "recall", {}, "draft"),
        ("drafter", "submit", {}, "in_review"),
        ("head_a", "reject", {"reason": "补充数据"}, "rejected"),
        ("drafter", "flag-sensitive", {}, "rejected"),
        ("drafter", "submit", {}, "in_review"),
        ("head_a", "approve", {}, "in_review"),
        ("leader", "approve", {}, "in_review"),
        ("principal", "approve", {}, "approved"),
    ]
    for login, action, body, state in steps:
        ok(act(api, login, item_id, action, **body), state)
        expected.append((f"item.{action.replace('-', '_')}", state))
        assert audit_actions(engine, item_id) == expected, action
    ok(api.as_("admin").post(f"{API}/{item_id}/withdraw", json={"reason": "信息有误"}), "withdrawn")
    assert audit_actions(engine, item_id)[-1] == ("item.withdraw", "withdrawn")


def test_publications_are_created_on_final_approval_bound_to_the_approved_revision(api, engine):
    item_id = submitted(api)
    ok(act(api, "head_a", item_id, "approve"))
    with Session(engine) as s:
        assert s.exec(select(Publication).where(Publication.item_id == item_id)).all() == []
    data = ok(act(api, "leader", item_id, "approve"), "approved")
    with Session(engine) as s:
        pubs = s.exec(select(Publication).where(Publication.item_id == item_id)).all()
        revision = s.get(Revision, data["approved_revision_id"])
        assert sorted(p.channel for p in pubs) == ["mp", "portal"]
        assert {(p.state, p.revision_id, p.content_hash) for p in pubs} == {
            ("pending", revision.id, revision.content_hash)}
        assert revision.content_hash == data["content_hash"]
        assert len({p.idempotency_key for p in pubs}) == 2


def test_scheduled_item_and_an_edit_after_approval_cancels_unsent_publications(api, engine):
    item_id = submitted(api, publish_at="2099-01-01T09:00:00+08:00")
    ok(act(api, "head_a", item_id, "approve"))
    ok(act(api, "leader", item_id, "approve"), "scheduled")
    data = ok(api.as_("drafter").patch(f"{API}/{item_id}", json={"digest": "发布前修改"}), "in_review", "dept_head")
    assert data["approved_revision_id"] is None
    assert {p["state"] for p in data["publications"]} == {"cancelled"}


def test_two_approvers_at_the_same_moment_exactly_one_decision(api, engine, world):
    """Threads through the real app (one connection each): one 200, one 409, one decision stored."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from content.models import ReviewStep

    add_user(engine, world.org_id, "head_a2", "dept_head", world.password, department="党政办")
    for _ in range(3):
        item_id = submitted(api)
        clients = [api.as_("head_a"), api.as_("head_a2")]
        barrier = Barrier(2)

        def approve(c, item_id=item_id, barrier=barrier):
            barrier.wait()
            return c.post(f"{API}/{item_id}/approve", json={})

        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(approve, clients))
        assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]
        assert [r.json()["code"] for r in results if r.status_code == 409] == ["already_decided"]
        with Session(engine) as s:
            decided = s.exec(select(ReviewStep).where(ReviewStep.item_id == item_id,
                                                      ReviewStep.gate == "dept_head")).all()
            assert [st.decision for st in decided] == ["approved"]
        assert [a for a, _ in audit_actions(engine, item_id)].count("item.approve") == 1
