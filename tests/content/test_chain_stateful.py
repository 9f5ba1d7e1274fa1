"""Hypothesis: random people doing random things in random order never break the chain's rules.

Invariants checked after every step, for every item:
- an item that is approved/scheduled/published (and not an emergency 未完成审核 item) carries distinct,
  correctly scoped approvals at every required gate, none by an author, each signing the approved hash;
- the audit log replays to the item's current state and gate (no transition went unrecorded).
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlmodel import Session, col, select

from content import store
from content.accounts import overseen_department_ids, roles_of
from content.errors import DomainError
from content.models import AuditEvent, Item, Review, ReviewStep, Revision, User
from content.review import chain as workflow
from content.review.reviewers import authors_of, required_gates

ACTIONS = ["submit", "approve", "reject", "recall", "flag_sensitive", "clear_sensitive", "emergency_publish",
           "withdraw", "archive"]  # fmt: skip


def _check_item(s: Session, item: Item) -> None:
    _check_replay(s, item)
    if item.state not in ("approved", "scheduled", "published") or item.review_incomplete:
        return
    review = s.exec(select(Review).where(Review.item_id == item.id).order_by(col(Review.id).desc())).first()
    assert review is not None and review.state == "approved", (item.id, review)
    steps = s.exec(select(ReviewStep).where(ReviewStep.review_id == review.id,
                                            ReviewStep.decision == "approved")).all()
    gates = {st_.gate for st_ in steps}
    assert set(required_gates(item)) <= gates, (item.id, gates)
    deciders = [st_.decided_by for st_ in steps]
    assert len(deciders) == len(set(deciders)), "one person approved two gates"
    approved_hash = s.get(Revision, item.approved_revision_id).content_hash
    authors = authors_of(s, item)
    for step in steps:
        decider = s.get(User, step.decided_by)
        assert decider.id not in authors, "an author approved"
        assert step.content_hash == approved_hash, "approval signed another revision"
        roles = roles_of(s, decider.id)
        assert step.gate in roles, (step.gate, roles)
        if step.gate == "dept_head":
            assert decider.department_id == item.department_id
        if step.gate == "leader":
            assert item.department_id in overseen_department_ids(s, decider.id)


def _check_replay(s: Session, item: Item) -> None:
    events = s.exec(select(AuditEvent).where(AuditEvent.target_type == "item", AuditEvent.target_id == item.id,
                                             col(AuditEvent.action).like("item.%")).order_by(AuditEvent.id)).all()
    state, gate = "draft", None
    for event in events:
        if "to_state" not in event.data:
            continue
        assert (event.data["from_state"], event.data["from_gate"]) == (state, gate), (event.action, event.data)
        state, gate = event.data["to_state"], event.data["to_gate"]
    assert (state, gate) == (item.state, item.gate)


class ChainMachine(RuleBasedStateMachine):
    def __init__(self, engine, world):
        super().__init__()
        self.engine = engine
        self.users = [world.drafter, world.drafter2, world.drafter_b, world.head_a, world.head_b, world.leader,
                      world.leader_b, world.principal, world.admin]
        self.drafters = [world.drafter, world.drafter2, world.drafter_b]
        self.item_ids: list[int] = []

    @rule(who=st.integers(0, 2), sensitive=st.booleans())
    def create(self, who, sensitive):
        with Session(self.engine) as s:
            data = {"title": f"测试稿件{len(self.item_ids)}", "body_html": "<p>正文</p>", "topic": "其他",
                    "channels": ["portal"], "sensitive": sensitive}
            item = store.create_item(s, actor=s.get(User, self.drafters[who]), data=data)
            s.commit()
            self.item_ids.append(item.id)

    @rule(pick=st.integers(0, 1000), who=st.integers(0, 8), action=st.sampled_from(ACTIONS),
          reason=st.sampled_from([None, "理由"]))
    def act(self, pick, who, action, reason):
        if not self.item_ids:
            return
        item_id = self.item_ids[pick % len(self.item_ids)]
        with Session(self.engine) as s:
            try:
                workflow.apply_action(s, item_id=item_id, actor=s.get(User, self.users[who]), action=action,
                                      reason=reason, comment=reason)
                s.commit()
            except DomainError:
                s.rollback()

    @rule(pick=st.integers(0, 1000), who=st.integers(0, 8), text=st.text("改动稿件内容", min_size=1, max_size=5))
    def edit(self, pick, who, text):
        if not self.item_ids:
            return
        with Session(self.engine) as s:
            try:
                store.update_item(s, actor=s.get(User, self.users[who]), item_id=self.item_ids[pick % len(self.item_ids)],
                                  changes={"digest": text})
                s.commit()
            except DomainError:
                s.rollback()

    @rule(pick=st.integers(0, 1000), publish=st.booleans())
    def system(self, pick, publish):
        if not self.item_ids:
            return
        item_id = self.item_ids[pick % len(self.item_ids)]
        with Session(self.engine) as s:
            if s.get(Item, item_id).state in ("approved", "scheduled"):
                if publish:
                    workflow.mark_published(s, item_id=item_id)
                else:
                    workflow.void_approval(s, item_id=item_id, reason="内容与审核版本不一致")
                s.commit()

    @invariant()
    def rules_hold(self):
        with Session(self.engine) as s:
            for item_id in self.item_ids:
                _check_item(s, s.get(Item, item_id))


def test_random_actions_never_break_the_chain(engine, world):
    run_state_machine_as_test(
        lambda: ChainMachine(engine, world),
        settings=settings(max_examples=12, stateful_step_count=40, deadline=None,
                          suppress_health_check=list(HealthCheck)),
    )
