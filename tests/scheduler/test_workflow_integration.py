"""Through the real review chain: approval creates the outbox rows, the scheduler publishes or voids,
撤稿 deletes remotely. Portal emulator over loopback HTTP, both databases."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session, select

from content import store
from content.models import AuditEvent, Item, Notification, Publication, User
from content.review import chain as workflow
from scheduler.dispatch import dispatch_once
from scheduler.withdraw import process_withdrawals
from tests.scheduler.helpers import cfg


def _approved(engine, world, channels=("portal",)) -> int:
    with Session(engine) as s:
        drafter = s.get(User, world.drafter)
        item = store.create_item(s, actor=drafter, data={"title": "关于村道维修的公告", "body_html": "<p>维修</p>",
                                                         "topic": "其他", "channels": list(channels)})  # fmt: skip
        s.commit()
        item_id = item.id
        for actor in (world.drafter, world.head_a, world.leader):
            action = "submit" if actor == world.drafter else "approve"
            workflow.apply_action(s, item_id=item_id, actor=s.get(User, actor), action=action)
            s.commit()
        assert s.get(Item, item_id).state in ("approved", "scheduled")
    return item_id


def test_approved_item_is_published_to_the_portal(engine, world, portal_emulator, registry):
    item_id = _approved(engine, world)
    assert dispatch_once(engine, registry, cfg()).outcomes == {"confirmed": 1}
    with Session(engine) as s:
        assert s.get(Item, item_id).state == "published"
    [post] = portal_emulator.live_posts()
    assert post.title == "关于村道维修的公告" and post.column == "T05"


def test_hash_mismatch_sends_nothing_and_returns_the_item_to_review(engine, world, portal_emulator, registry):
    item_id = _approved(engine, world)
    with Session(engine) as s:  # the approved hash no longer matches what would be sent
        s.exec(
            text("UPDATE publication SET content_hash = :h WHERE item_id = :i").bindparams(
                h="0" * 64, i=item_id
            )
        )
        s.commit()
    assert dispatch_once(engine, registry, cfg()).outcomes == {"voided": 1}
    assert portal_emulator.requests == []
    with Session(engine) as s:
        item = s.get(Item, item_id)
        assert item.state == "in_review" and item.approved_revision_id is None
        [row] = s.exec(select(Publication).where(Publication.item_id == item_id)).all()
        assert row.state == "cancelled" and "指纹" in row.last_error
        kinds = {
            n.kind for n in s.exec(select(Notification).where(Notification.user_id == world.drafter)).all()
        }
        assert "item.voided" in kinds


def test_withdrawal_deletes_from_the_portal_with_the_reason(engine, world, portal_emulator, registry):
    item_id = _approved(engine, world)
    dispatch_once(engine, registry, cfg())
    with Session(engine) as s:
        workflow.apply_action(s, item_id=item_id, actor=s.get(User, world.admin), action="withdraw",
                              reason="数据有误")  # fmt: skip
        s.commit()
    assert process_withdrawals(engine, registry, cfg()) == {"withdrawn": 1}
    assert portal_emulator.live_posts() == []
    assert [r.status for r in portal_emulator.requests if r.method == "DELETE"] == [204]
    with Session(engine) as s:
        [row] = s.exec(select(Publication).where(Publication.item_id == item_id)).all()
        assert row.state == "withdrawn"
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "publication.withdrawn")).one()
        assert ev.data["reason"] == "数据有误"
    assert process_withdrawals(engine, registry, cfg()) == {}
