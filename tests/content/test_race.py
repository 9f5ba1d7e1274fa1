"""Two approvers acting at once on the same gate: exactly one decision is stored."""

from __future__ import annotations

import threading

from sqlmodel import Session, select

from content import accounts
from content.errors import DomainError
from content.models import ReviewStep, User
from content.review import chain as workflow
from tests.content.helpers import act, load, make_item


def _second_head(engine, world) -> int:
    with Session(engine) as s:
        uid = accounts.create_user(s, org_id=world.org_id, login="head_a2", name="副主任", password=world.password,
                                   roles="dept_head", department="党政办").id
        s.commit()
        return uid


def _race(engine, item_id: int, user_ids: list[int], action: str, **kwargs) -> list[object]:
    barrier = threading.Barrier(len(user_ids))
    results: list[object] = [None] * len(user_ids)

    def decide(index: int, user_id: int) -> None:
        with Session(engine, expire_on_commit=False) as s:
            actor = s.get(User, user_id)
            s.commit()  # end the read transaction: both threads start deciding from the same point
            barrier.wait()
            try:
                workflow.apply_action(s, item_id=item_id, actor=actor, action=action, **kwargs)
                s.commit()
                results[index] = "ok"
            except DomainError as exc:
                s.rollback()
                results[index] = exc
            except Exception as exc:  # noqa: BLE001 - surfaced in the assertion
                s.rollback()
                results[index] = repr(exc)

    threads = [threading.Thread(target=decide, args=(i, u)) for i, u in enumerate(user_ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_heads_approve_at_once(engine, world):
    head_a2 = _second_head(engine, world)
    for _round in range(5):
        item_id = make_item(engine, world.drafter)
        act(engine, world.drafter, item_id, "submit")
        results = _race(engine, item_id, [world.head_a, head_a2], "approve")
        assert results.count("ok") == 1, results
        loser = next(r for r in results if r != "ok")
        assert loser.code == "already_decided" and "处理" in loser.message
        with Session(engine) as s:
            steps = s.exec(select(ReviewStep).where(ReviewStep.item_id == item_id, ReviewStep.gate == "dept_head")).all()
        assert len(steps) == 1 and steps[0].decision == "approved"
        assert load(engine, item_id).gate == "leader"


def test_approve_and_reject_race(engine, world):
    head_a2 = _second_head(engine, world)
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    barrier_results = _race(engine, item_id, [world.head_a, head_a2], "reject", reason="不同意")
    assert barrier_results.count("ok") == 1
    item = load(engine, item_id)
    assert item.state == "rejected" and item.rejection_count == 1
