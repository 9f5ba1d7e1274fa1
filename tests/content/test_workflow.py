"""The review chain through the store API, on both databases."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from content import store
from content.errors import Conflict, Forbidden, Invalid
from content.models import Notification, Publication, User
from content.review import chain as workflow
from tests.content.helpers import act, audit_actions, load, make_item


def test_full_chain_creates_publications_and_audit(engine, world):
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    assert (load(engine, item_id).state, load(engine, item_id).gate) == ("in_review", "dept_head")
    act(engine, world.head_a, item_id, "approve", comment="同意")
    assert load(engine, item_id).gate == "leader"
    act(engine, world.leader, item_id, "approve")
    item = load(engine, item_id)
    assert item.state == "approved" and item.approved_revision_id == item.current_revision_id
    with Session(engine) as s:
        pubs = s.exec(select(Publication).where(Publication.item_id == item_id)).all()
        kinds = [n.kind for n in s.exec(select(Notification).where(Notification.item_id == item_id))]
    assert sorted(p.channel for p in pubs) == ["mp", "portal"]
    assert all(p.state == "pending" for p in pubs)
    assert "review.pending" in kinds and "item.approved" in kinds
    assert audit_actions(engine, item_id) == ["item.create", "item.submit", "item.approve", "item.approve"]


def test_wrong_department_and_self_approval_refused(engine, world):
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    with pytest.raises(Forbidden):
        act(engine, world.head_b, item_id, "approve")
    with pytest.raises(Forbidden):
        act(engine, world.drafter, item_id, "approve")
    act(engine, world.head_a, item_id, "approve")
    with pytest.raises(Forbidden):
        act(engine, world.leader_b, item_id, "approve")
    assert load(engine, item_id).gate == "leader"


def test_stale_hash_and_reject_reason(engine, world):
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    with pytest.raises(Conflict, match="修改"):
        act(engine, world.head_a, item_id, "approve", content_hash="0" * 64)
    with pytest.raises(Invalid):
        act(engine, world.head_a, item_id, "reject", reason="  ")
    act(engine, world.head_a, item_id, "reject", reason="数据有误")
    item = load(engine, item_id)
    assert item.state == "rejected" and item.rejection_count == 1 and item.last_rejection_reason == "数据有误"


def test_sensitive_adds_principal_gate_and_emergency(engine, world):
    item_id = make_item(engine, world.drafter, sensitive=True)
    act(engine, world.drafter, item_id, "submit")
    act(engine, world.head_a, item_id, "approve")
    act(engine, world.leader, item_id, "approve")
    assert load(engine, item_id).gate == "principal"
    with pytest.raises(Invalid):
        act(engine, world.principal, item_id, "emergency_publish")
    act(engine, world.principal, item_id, "emergency_publish", reason="汛情紧急")
    item = load(engine, item_id)
    assert item.state == "approved" and item.review_incomplete
    act(engine, world.principal, item_id, "approve")
    assert not load(engine, item_id).review_incomplete


def test_edit_after_approval_restarts_chain(engine, world):
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    act(engine, world.head_a, item_id, "approve")
    with Session(engine) as s, pytest.raises(Forbidden):
        store.update_item(s, actor=s.get(User, world.drafter), item_id=item_id, changes={"title": "新标题"})
    with Session(engine) as s:
        store.update_item(s, actor=s.get(User, world.leader), item_id=item_id, changes={"digest": "领导修改"})
        s.commit()
    item = load(engine, item_id)
    assert (item.state, item.gate) == ("in_review", "dept_head")
    act(engine, world.head_a, item_id, "approve")
    with pytest.raises(Forbidden, match="本人"):
        act(engine, world.leader, item_id, "approve")  # the leader edited it


def test_available_actions_is_the_permission_source(engine, world):
    item_id = make_item(engine, world.drafter)
    with Session(engine) as s:
        item = workflow.get_item(s, org_id=world.org_id, item_id=item_id)
        assert "submit" in workflow.available_actions(s, item, s.get(User, world.drafter))
        assert workflow.available_actions(s, item, s.get(User, world.head_b)) == []


def test_checks_cover_limits_and_inline_images_do_not_count_as_body_length(engine, world):
    import base64

    from content.checks import run_checks

    big_png = "data:image/png;base64," + base64.b64encode(b"\x89PNG" + b"0" * (1024 * 1024)).decode()
    small_png = "data:image/png;base64," + base64.b64encode(b"\x89PNG" + b"0" * 30_000).decode()
    body = f'<p>正文</p><img src="{small_png}" alt="示意图">'
    item_id = make_item(engine, world.drafter, body_html=body, cover_image=big_png)
    with Session(engine) as s:
        result = run_checks(s, workflow.get_item(s, org_id=world.org_id, item_id=item_id))
    codes = [e["code"] for e in result.errors]
    assert codes == ["image_too_large"], result.errors  # the cover is over 1 MB; the 40 KB inline image is fine
    with pytest.raises(Invalid, match="1 MB"):
        act(engine, world.drafter, item_id, "submit")
    assert load(engine, item_id).state == "draft"
