"""Driving items through the real review chain to the outbox, and the outbox with a test clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from channels.wecom_group import robots
from content import store
from content.models import Publication, User
from content.review import chain as workflow
from content.timeutil import utcnow
from scheduler.outbox import OutboxConfig

BODY = "<p>为做好春季森林防火工作，现将有关事项通告如下。</p><p>一、严禁野外用火。</p>"


class Clock:
    """A test clock: starts now, moves only when told."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def past_real_time(self, seconds: float) -> None:
        """Move to `seconds` after the real time if that is later: rows made with the real clock (an approval's
        publications are due at its real time) are then due however long a loaded machine took to make them."""
        self.now = max(self.now, utcnow()) + timedelta(seconds=seconds)


def approved_item(engine, world, *, channels, title="关于春季森林防火的通告", body_html=BODY, **extra) -> int:
    """Create, submit and approve an item through the whole chain; returns its id."""
    data = {"title": title, "digest": "", "body_html": body_html, "topic": "其他", "area": "安全生产",
            "channels": list(channels), "publish_at": None}
    data.update(extra)
    with Session(engine, expire_on_commit=False) as s:
        item = store.create_item(s, actor=s.get(User, world.drafter), data=data)
        s.commit()
        item_id = item.id
    for user_id, action in ((world.drafter, "submit"), (world.head_a, "approve"), (world.leader, "approve")):
        with Session(engine, expire_on_commit=False) as s:
            workflow.apply_action(s, item_id=item_id, actor=s.get(User, user_id), action=action)
            s.commit()
    return item_id


def act(engine, user_id: int, item_id: int, action: str, **kwargs) -> None:
    with Session(engine, expire_on_commit=False) as s:
        workflow.apply_action(s, item_id=item_id, actor=s.get(User, user_id), action=action, **kwargs)
        s.commit()


def add_robot(engine, world, name: str, url: str, msg_type: str = "news") -> int:
    with Session(engine, expire_on_commit=False) as s:
        robot = robots.create_robot(s, actor=s.get(User, world.admin), name=name, webhook_url=url,
                                    msg_type=msg_type, allow_sandbox=True)
        s.commit()
        return robot.id


def publications(engine, item_id: int | None = None, channel: str | None = None) -> list[Publication]:
    with Session(engine, expire_on_commit=False) as s:
        query = select(Publication).order_by(Publication.id)
        if item_id is not None:
            query = query.where(Publication.item_id == item_id)
        if channel is not None:
            query = query.where(Publication.channel == channel)
        return list(s.exec(query))


def outbox_cfg(worker: str = "w-test") -> OutboxConfig:
    return OutboxConfig(worker_id=worker, retry_base_seconds=0.0, concurrency=2)


class FakePortal:
    """A portal adapter for tests that only need items published: answers with a page URL at once."""

    name, label, needs_confirmation = "portal", "门户网站", False

    def send(self, job):
        from channels.base import SendResult

        return SendResult(remote_id=f"art-{job.item_id}", remote_url=f"https://portal.test/art/{job.item_id}.html")

    def withdraw(self, job, reason: str) -> None:
        pass

    def reconcile(self, job):
        from channels.base import RemoteState, RemoteStatus

        return RemoteState(RemoteStatus.absent)

    check = reconcile

    def close(self) -> None:
        pass


def publish(engine, world, *, title: str, topic: str = "其他", body_html: str = BODY, digest: str = "") -> int:
    """An item through the review chain and the outbox (portal only) until it is published."""
    from channels.base import ChannelRegistry
    from scheduler.dispatch import dispatch_once

    item_id = approved_item(engine, world, channels=["portal"], title=title, body_html=body_html, topic=topic,
                            digest=digest)
    dispatch_once(engine, ChannelRegistry([FakePortal()]), outbox_cfg())
    return item_id
