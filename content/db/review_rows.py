"""The review chain's reads and writes of reviews, steps and revisions, as plain typed functions.

Every statement is built once with bind parameters: statement construction is a large share of the
cost of a small query, and one approval runs about a dozen of them. Writes of steps go through Core
on the session's connection: nothing reads a new step back during the action, so building and
flushing an ORM object would cost more than the INSERT itself. `content.review` calls these and
never sees a statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Table, bindparam, insert, inspect, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from content.db import rowbuffer
from content.db.rowbuffer import model_row
from content.models import Decision, Item, Review, ReviewState, ReviewStep, Revision
from content.notify import notify

# The active review and all its steps in one round trip (a review has at least one step).
_ACTIVE = (
    select(Review, ReviewStep)
    .outerjoin(ReviewStep, col(ReviewStep.review_id) == col(Review.id))
    .where(Review.item_id == bindparam("item_id"), Review.state == ReviewState.in_progress)
    .order_by(col(ReviewStep.id))
)
_LATEST = select(Review).where(Review.item_id == bindparam("item_id")).order_by(col(Review.id).desc()).limit(1)
_STEPS = select(ReviewStep).where(ReviewStep.review_id == bindparam("review_id")).order_by(col(ReviewStep.id))
# Authors and hashes from one read of the item's (few) revisions, without their content.
_REVISIONS = select(Revision.id, Revision.created_by, Revision.content_hash).where(
    Revision.item_id == bindparam("item_id")
)
_STEP_TABLE = inspect(ReviewStep).local_table
assert isinstance(_STEP_TABLE, Table)
_STEP = _STEP_TABLE.c
_STEP_INSERT = insert(_STEP_TABLE).returning(_STEP.id)
DECISION_FIELDS = ("decision", "decided_by", "decided_at", "comment", "channel", "content_hash", "after_the_fact")
# Compare-and-set: only a pending (or emergency-skipped) step takes a decision.
_DECIDE = (
    update(_STEP_TABLE)
    .where(_STEP.id == bindparam("step_id"), _STEP.decision.in_([Decision.pending, Decision.skipped]))
    .values({name: bindparam(f"new_{name}") for name in DECISION_FIELDS})
)


class RevisionRow(NamedTuple):
    id: int
    created_by: int
    content_hash: str


def active_review_with_steps(session: Session, item_id: int) -> tuple[Review | None, list[ReviewStep]]:
    """The item's review in progress and its steps in id order, in one round trip."""
    rows = session.execute(_ACTIVE, {"item_id": item_id}).all()
    if not rows:
        return None, []
    return rows[0][0], [step for _, step in rows if step is not None]


def latest_review(session: Session, item_id: int) -> Review | None:
    return session.execute(_LATEST, {"item_id": item_id}).scalars().first()


def steps_of(session: Session, review_id: int) -> list[ReviewStep]:
    return list(session.execute(_STEPS, {"review_id": review_id}).scalars())


def revisions_of(session: Session, item_id: int) -> list[RevisionRow]:
    """Id, author and hash of every revision of the item (not their content)."""
    return [RevisionRow(*row) for row in session.execute(_REVISIONS, {"item_id": item_id}).all()]


def insert_step(session: Session, *, org_id: int, review_id: int, item_id: int, gate: str,
                assignee_ids: list[int], opened_at: datetime) -> int:
    """Insert a pending step (the model's defaults for the rest); returns its id."""
    row = model_row(ReviewStep, {"org_id": org_id, "review_id": review_id, "item_id": item_id, "gate": gate,
                                 "assignee_ids": assignee_ids, "opened_at": opened_at})
    return session.connection().execute(_STEP_INSERT, row).scalar_one()


def decide_step(session: Session, step: ReviewStep, values: dict[str, object]) -> bool:
    """Store a decision (`DECISION_FIELDS`) on a still-open step; False when someone else decided first.

    On success the in-memory `step` mirrors the UPDATE (it is the whole truth about the row now),
    without a re-read and without marking the object dirty.
    """
    params = {"step_id": step.id, **{f"new_{name}": values[name] for name in DECISION_FIELDS}}
    if session.connection().execute(_DECIDE, params).rowcount != 1:
        return False
    for name in DECISION_FIELDS:
        set_committed_value(step, name, values[name])
    return True


def void_pending_steps(session: Session, review_id: int) -> None:
    """Every still-pending step of the review becomes voided (steps held in memory are stale after this)."""
    session.execute(
        update(ReviewStep).where(col(ReviewStep.review_id) == review_id, col(ReviewStep.decision) == Decision.pending)
        .values(decision=Decision.voided).execution_options(synchronize_session=False)
    )


def record_notification(session: Session, item: Item, user_ids: Iterable[int], kind: str, **kw: Any) -> None:
    """`content.notify.notify`, through the running action's row buffer when there is one."""
    buffer = rowbuffer.current(session)
    if buffer is None:
        notify(session, item, user_ids, kind, **kw)
    else:
        buffer.notify(item, user_ids, kind, **kw)
