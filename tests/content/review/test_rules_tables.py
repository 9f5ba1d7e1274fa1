"""The review chain's tables are what the chain does: who may act (WHO_MAY), which actions need a reason
(REASON_REQUIRED), the gate order, and the persistence helpers behind them (content/db/). Both databases."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlmodel import Session, select

from content import accounts
from content.db import review_rows
from content.errors import Forbidden, Invalid
from content.models import AuditEvent, Decision, Item, ReviewStep, User
from content.review import chain as workflow
from content.review.reviewers import gate_holders
from content.review.rules import (
    ANY,
    DECIDING,
    GATE_ORDER,
    REASON_REQUIRED,
    TRANSITIONS,
    USER_ACTIONS,
    WHO_MAY,
    Action,
    permission,
)
from content.timeutil import utcnow
from tests.content.helpers import act, load, make_item

REVIEW_DIR = Path(__file__).resolve().parents[3] / "content" / "review"


def test_every_user_action_the_table_allows_has_a_permission_row():
    for (state, _gate, action) in TRANSITIONS:
        if action in USER_ACTIONS and action not in DECIDING:
            assert permission(action, state) is not None, (action, state)
    assert {a for a, _ in WHO_MAY} == set(USER_ACTIONS) - set(DECIDING)
    assert all(rule.who and rule.refusal for rule in WHO_MAY.values())


def test_the_review_package_reads_as_rules_without_persistence_mechanics():
    """Statements, Core writes and ORM tricks live in content/db/; the review package only calls them."""
    mechanics = {"insert", "update", "bindparam", "set_committed_value", "union_all", "aliased"}
    for path in REVIEW_DIR.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "type: ignore" not in text, path.name
        assert "session.info" not in text and ".connection()" not in text, path.name
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
                assert not {a.name for a in node.names} & mechanics, (path.name, node.module)


def _in_review(engine, world, **overrides) -> int:
    item_id = make_item(engine, world.drafter, **overrides)
    act(engine, world.drafter, item_id, "submit")
    return item_id


def _approved(engine, world) -> int:
    item_id = _in_review(engine, world)
    act(engine, world.head_a, item_id, "approve")
    act(engine, world.leader, item_id, "approve")
    assert load(engine, item_id).state == "approved"
    return item_id


def _audit_count(engine) -> int:
    with Session(engine) as s:
        return len(s.exec(select(AuditEvent.id)).all())


@pytest.mark.parametrize("action", sorted(REASON_REQUIRED))
@pytest.mark.parametrize("reason", [None, "", "  \n "])
def test_each_action_that_needs_a_reason_refuses_without_one_and_writes_nothing(engine, world, action, reason):
    item_id = _approved(engine, world) if action == Action.withdraw else _in_review(engine, world)
    actor = {Action.reject: world.head_a, Action.emergency_publish: world.principal,
             Action.withdraw: world.leader}[action]
    before, audits = load(engine, item_id), _audit_count(engine)
    with pytest.raises(Invalid) as refused:
        act(engine, actor, item_id, action, reason=reason)
    assert refused.value.code == "reason_required"
    assert refused.value.message.endswith("必须填写理由")
    after = load(engine, item_id)
    assert (after.state, after.gate, after.version) == (before.state, before.gate, before.version)
    assert _audit_count(engine) == audits
    act(engine, actor, item_id, action, reason="依据规定处理")  # the same call with a reason goes through
    assert load(engine, item_id).version > before.version


@pytest.mark.parametrize(("action", "who", "setup"), [
    (Action.archive, "leader", "draft"), (Action.withdraw, "drafter", "approved"),
    (Action.clear_sensitive, "head_a", "in_review"), (Action.recall, "head_a", "in_review"),
    (Action.emergency_publish, "leader", "in_review"), (Action.edit, "drafter2", "in_review"),
    (Action.edit, "drafter2", "draft"), (Action.submit, "drafter2", "draft"),
    (Action.flag_sensitive, "drafter_b", "draft"),
])
def test_a_refusal_is_the_tables_words_for_that_action(engine, world, action, who, setup):
    if setup == "draft":
        item_id = make_item(engine, world.drafter)
    else:
        item_id = _approved(engine, world) if setup == "approved" else _in_review(engine, world, sensitive=True)
    state = load(engine, item_id).state
    assert state == setup
    with pytest.raises(Forbidden) as refused:
        if action == Action.edit:
            with Session(engine) as s:
                workflow.edit_item(s, item=s.get(Item, item_id), actor=s.get(User, getattr(world, who)),
                                   fields={"digest": "改"})
        else:
            act(engine, getattr(world, who), item_id, action, reason="理由")
    rule = permission(action, state)
    assert rule is not None
    assert refused.value.message == rule.refusal


def test_the_sensitive_flag_is_checked_before_who_asks(engine, world):
    item_id = make_item(engine, world.drafter)
    with pytest.raises(Forbidden) as refused:
        act(engine, world.leader, item_id, "clear_sensitive")
    assert refused.value.message == WHO_MAY[(Action.clear_sensitive, ANY)].sensitive_refusal


def test_emergency_publish_refuses_an_author_even_when_they_hold_the_gate(engine, world):
    item_id = _in_review(engine, world, sensitive=True)
    act(engine, world.head_a, item_id, "approve")
    act(engine, world.leader, item_id, "approve")
    assert load(engine, item_id).gate == "principal"
    with Session(engine) as s:  # the principal, reviewing, edits: the chain restarts and they are an author
        workflow.edit_item(s, item=s.get(Item, item_id), actor=s.get(User, world.principal),
                           fields={"digest": "主要领导改过的摘要"})
        s.commit()
    with pytest.raises(Forbidden) as refused:
        act(engine, world.principal, item_id, "emergency_publish", reason="紧急")
    assert refused.value.message == WHO_MAY[(Action.emergency_publish, ANY)].authors_refusal


def test_a_sensitive_item_passes_every_gate_in_order(engine, world):
    item_id = _in_review(engine, world, sensitive=True)
    seen = []
    for approver in (world.head_a, world.leader, world.principal):
        seen.append(load(engine, item_id).gate)
        act(engine, approver, item_id, "approve")
    assert seen == list(GATE_ORDER)
    assert load(engine, item_id).state == "approved"


def test_gate_holders_are_read_again_in_the_next_transaction(engine, world):
    """The per-transaction memo of content/db/holder_rows.py never outlives its transaction."""
    item_id = _in_review(engine, world)
    with Session(engine) as s:
        item = s.get(Item, item_id)
        assert world.drafter2 not in gate_holders(s, item, "dept_head")
        s.commit()
        with Session(engine) as other:
            accounts.set_roles(other, user=other.get(User, world.drafter2), roles=["drafter", "dept_head"])
            other.commit()
        assert world.drafter2 in gate_holders(s, s.get(Item, item_id), "dept_head")


def test_decide_step_stores_one_decision_only(engine, world):
    item_id = _in_review(engine, world)
    with Session(engine) as s:
        step = workflow.current_step(s, s.get(Item, item_id))
        step_id = step.id
        values = {"decision": Decision.approved, "decided_by": world.head_a, "decided_at": utcnow(),
                  "comment": None, "channel": "web", "content_hash": "h", "after_the_fact": False}
        assert review_rows.decide_step(s, step, values) is True
        assert (step.decision, step.decided_by) == (Decision.approved, world.head_a)  # mirrored in memory
        assert step not in s.dirty
        again = {**values, "decision": Decision.rejected, "decided_by": world.head_b}
        assert review_rows.decide_step(s, step, again) is False
        assert step.decision == Decision.approved
        s.commit()
    with Session(engine) as s:
        stored = s.exec(select(ReviewStep).where(ReviewStep.id == step_id)).one()
        assert (stored.decision, stored.decided_by) == (Decision.approved, world.head_a)
