"""What the review chain reads once per action: gate holders with dated deputies, and the rows it
writes in bulk at the end of an action (identical to `audit.record` / `notify`). Both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from content import accounts, audit
from content.db.rowbuffer import action_rows, record_audit
from content.errors import Forbidden
from content.models import AuditEvent, Item, Notification, User
from content.notify import notify
from content.review import chain as workflow
from content.timeutil import utcnow
from tests.content.helpers import act, load, make_item


def _deputy(engine, user_id: int, deputy_id: int, *, starts: timedelta, ends: timedelta) -> None:
    with Session(engine) as s:
        now = utcnow()
        accounts.name_deputy(s, user=s.get(User, user_id), deputy=s.get(User, deputy_id), starts_at=now + starts,
                             ends_at=now + ends)
        s.commit()


def test_a_deputy_acts_for_the_absent_holder_only_while_named(engine, world):
    _deputy(engine, world.head_a, world.head_b, starts=timedelta(hours=-1), ends=timedelta(hours=1))
    _deputy(engine, world.leader, world.leader_b, starts=timedelta(hours=1), ends=timedelta(hours=2))  # not yet
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    with Session(engine) as s:
        step = workflow.current_step(s, s.get(Item, item_id))
        assert set(step.assignee_ids) == {world.head_a, world.head_b}  # the holder and the acting deputy
    act(engine, world.head_b, item_id, "approve")  # head of another department, deputising for head_a
    assert load(engine, item_id).gate == "leader"
    with pytest.raises(Forbidden):
        act(engine, world.leader_b, item_id, "approve")  # the leader's deputy period has not started
    act(engine, world.leader, item_id, "approve")
    assert load(engine, item_id).state == "approved"


def test_an_inactive_deputy_and_a_deputy_of_a_non_holder_get_nothing(engine, world):
    _deputy(engine, world.head_a, world.drafter2, starts=timedelta(hours=-1), ends=timedelta(hours=1))
    _deputy(engine, world.drafter_b, world.leader_b, starts=timedelta(hours=-1), ends=timedelta(hours=1))
    with Session(engine) as s:
        s.get(User, world.drafter2).active = False
        s.commit()
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    with Session(engine) as s:
        item = s.get(Item, item_id)
        assert set(workflow.current_step(s, item).assignee_ids) == {world.head_a}
        for user_id in (world.drafter2, world.leader_b):
            assert "approve" not in workflow.available_actions(s, item, s.get(User, user_id))
        assert "approve" in workflow.available_actions(s, item, s.get(User, world.head_a))


def _rows(engine, model, ids):
    with Session(engine) as s:
        rows = s.exec(select(model).where(model.id.in_(ids)).order_by(model.id)).all()
        return [{k: v for k, v in r.model_dump().items() if k not in ("id", "at", "created_at")} for r in rows]


def test_buffered_rows_equal_what_audit_and_notify_store(engine, world):
    item_id = make_item(engine, world.drafter)
    with Session(engine) as s:
        item, actor = s.get(Item, item_id), s.get(User, world.head_a)
        before = (s.exec(select(AuditEvent.id).order_by(AuditEvent.id.desc())).first(),
                  s.exec(select(Notification.id).order_by(Notification.id.desc())).first() or 0)
        for buffered in (False, True):
            if buffered:
                with action_rows(s) as rows:
                    record_audit(s, org_id=item.org_id, action="item.test", target_type="item", target_id=item.id,
                                 actor=actor, token="secret", comment="同意")
                    rows.notify(item, [world.drafter, world.drafter, world.leader], "item.step_approved", by="某人",
                                gate="dept_head")
            else:
                audit.record(s, org_id=item.org_id, action="item.test", target_type="item", target_id=item.id,
                             actor=actor, token="secret", comment="同意")
                notify(s, item, [world.drafter, world.drafter, world.leader], "item.step_approved", by="某人", gate="dept_head")
            s.flush()
        s.commit()
    with Session(engine) as s:
        audits = s.exec(select(AuditEvent.id).where(AuditEvent.id > before[0])).all()
        notes = s.exec(select(Notification.id).where(Notification.id > before[1])).all()
    assert len(audits) == 2 and len(notes) == 4
    direct, buffered = _rows(engine, AuditEvent, audits[:1]), _rows(engine, AuditEvent, audits[1:])
    assert direct == buffered and direct[0]["data"] == {"token": "***", "comment": "同意"}
    assert _rows(engine, Notification, notes[:2]) == _rows(engine, Notification, notes[2:])


def test_a_refused_action_writes_none_of_its_buffered_rows(engine, world):
    item_id = make_item(engine, world.drafter)
    act(engine, world.drafter, item_id, "submit")
    with Session(engine) as s:
        count = len(s.exec(select(AuditEvent.id)).all())
        with pytest.raises(Forbidden):
            workflow.apply_action(s, item_id=item_id, actor=s.get(User, world.head_b), action="approve")
        workflow.apply_action(s, item_id=item_id, actor=s.get(User, world.head_a), action="approve")
        s.commit()
        assert len(s.exec(select(AuditEvent.id)).all()) == count + 1
