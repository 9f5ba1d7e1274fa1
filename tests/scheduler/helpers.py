"""Rows for scheduler tests, written directly (an approved item, its revision, its publications)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from content.models import Category, Item, Publication, Revision
from content.store import content_hash, content_of
from content.timeutil import utcnow
from scheduler.outbox import OutboxConfig


def cfg(worker: str = "w1", **kw) -> OutboxConfig:
    kw.setdefault("retry_base_seconds", 0.0)
    kw.setdefault("concurrency", 2)
    return OutboxConfig(worker_id=worker, **kw)


def approved_item(
    engine: Engine,
    world,
    *,
    channels=("portal",),
    due_at: datetime | None = None,
    title: str = "关于春季防火的通告",
    body_html: str = "<p>正文</p>",
    cover_image: str | None = None,
    topic: str | None = "其他",
    count: int = 1,
) -> list[int]:
    """`count` approved items, each with one pending publication per channel; returns publication ids."""
    due_at = due_at or utcnow() - timedelta(seconds=1)
    ids: list[int] = []
    with Session(engine) as s:
        topic_id = None
        if topic:
            topic_id = s.exec(
                select(Category.id).where(
                    Category.org_id == world.org_id, Category.taxonomy == "topic", Category.name == topic
                )
            ).one()
        pubs = []
        for n in range(count):
            item = Item(
                org_id=world.org_id,
                department_id=world.dept_a,
                drafter_id=world.drafter,
                title=title if count == 1 else f"{title}（{n + 1}）",
                body_html=body_html,
                cover_image=cover_image,
                topic_id=topic_id,
                channels=list(channels),
                state="approved",
            )
            s.add(item)
            s.flush()
            content = content_of(item)
            rev = Revision(
                org_id=world.org_id,
                item_id=item.id,
                number=1,
                created_by=world.drafter,
                content=content,
                content_hash=content_hash(content),
            )
            s.add(rev)
            s.flush()
            item.current_revision_id = item.approved_revision_id = rev.id
            for ch in channels:
                pubs.append(
                    Publication(
                        org_id=world.org_id,
                        item_id=item.id,
                        revision_id=rev.id,
                        content_hash=rev.content_hash,
                        channel=ch,
                        due_at=due_at,
                        idempotency_key=f"{ch}-{item.id}-{uuid.uuid4().hex[:12]}",
                    )
                )
        s.add_all(pubs)
        s.commit()
        ids = [p.id for p in pubs]
    return ids


def pub(engine: Engine, pub_id: int) -> Publication:
    with Session(engine) as s:
        return s.get(Publication, pub_id)
