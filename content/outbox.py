"""The content side of the publishing outbox: rows created on approval, cancelled or withdrawn."""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from content.models import Item, Publication, PublicationState, Review, Revision
from content.rowbuffer import model_row
from content.timeutil import utcnow

# `unknown` is not here: such a post may be live, so it is looked up and withdrawn, never just cancelled.
UNSENT = (PublicationState.pending, PublicationState.failed)
MAYBE_LIVE = (PublicationState.sent, PublicationState.confirmed, PublicationState.claimed, PublicationState.unknown)


def split_channel(entry: str) -> tuple[str, str]:
    """`wecom_group:5` → ("wecom_group", "5"); `portal` → ("portal", "")."""
    channel, _, target = entry.partition(":")
    return channel, target


def create_publications(
    session: Session, item: Item, review: Review, *, emergency: bool = False, content_hash: str | None = None
) -> int:
    """One pending row per chosen channel, bound to the approved revision and its hash; returns how many.

    `content_hash` is the approved revision's hash when the caller has already read it (saves a read).
    The rows go out in one INSERT with the model's defaults for every other column.
    """
    revision_id = item.approved_revision_id
    if content_hash is None:
        content_hash = session.get(Revision, revision_id).content_hash
    now = utcnow()
    due = now if emergency or not item.publish_at or item.publish_at <= now else item.publish_at
    rows = []
    for entry in item.channels or []:
        channel, target = split_channel(entry)
        rows.append(model_row(Publication, {
            "org_id": item.org_id, "item_id": item.id, "revision_id": revision_id, "content_hash": content_hash,
            "channel": channel, "target": target, "due_at": due,
            "idempotency_key": f"gk-{item.org_id}-{item.id}-{review.id}-{channel}-{target or '0'}",
        }))  # fmt: skip
    if rows:
        session.execute(insert(Publication), rows)
    return len(rows)


def cancel_unsent(session: Session, item: Item) -> int:
    """Cancel rows that have not gone out (an edit, a flag or a hash mismatch voided the approval).

    A row in `unknown` may already be live: it is queued for withdrawal instead, so the scheduler
    asks the channel and deletes it if it is there.
    """
    now = utcnow()
    result = session.execute(
        update(Publication)
        .where(col(Publication.item_id) == item.id, col(Publication.state).in_(UNSENT))
        .values(state=PublicationState.cancelled, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Publication)
        .where(col(Publication.item_id) == item.id, col(Publication.state) == PublicationState.unknown)
        .values(state=PublicationState.withdraw_pending, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def request_withdrawal(session: Session, item: Item, *, reason: str) -> int:
    """撤稿: what went out is queued for remote deletion; what did not go out is cancelled."""
    cancelled = cancel_unsent(session, item)
    rows = session.exec(
        select(Publication).where(
            Publication.item_id == item.id,
            col(Publication.state).in_(MAYBE_LIVE),
        )
    ).all()
    for row in rows:
        row.state = PublicationState.withdraw_pending
        row.progress = {**(row.progress or {}), "withdraw_reason": reason}
        row.updated_at = utcnow()
    session.flush()
    return cancelled + len(rows)
