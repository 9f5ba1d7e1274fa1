"""The content side of the publishing outbox: rows created on approval, cancelled or withdrawn."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from content.db.rowbuffer import model_row
from content.labels import channel_label
from content.models import Item, Publication, PublicationState, Review, Revision
from content.models.ids import pk
from content.models.item_channel import ChannelKind, ChannelTarget, known_targets
from content.models.publication import Installation, new_uid
from content.timeutil import utcnow

# `unknown` is not here: such a post may be live, so it is looked up and withdrawn, never just cancelled.
UNSENT = (PublicationState.pending, PublicationState.failed)
MAYBE_LIVE = (PublicationState.sent, PublicationState.confirmed, PublicationState.claimed, PublicationState.unknown)


def split_channel(entry: str) -> tuple[str, str]:
    """`wecom_group:5` → ("wecom_group", "5"); `portal` → ("portal", ""): the `Publication` columns
    (`channel`, `target`) of an entry; parsed by `ChannelTarget`, the one parser."""
    target = ChannelTarget.try_parse(entry)
    return (entry, "") if target is None else target.as_columns()


def entry_of(channel: str, target: str | None) -> str:
    """The entry string of a `Publication` row's (`channel`, `target`): the inverse of `split_channel`."""
    return f"{channel}:{target}" if target else channel


def installation_uid(session: Session) -> str:
    """This database's installation id; made here if the database lacks it (migration 0014 makes it).

    The row has the fixed primary key 1, so two processes making it at once cannot both succeed: the
    loser's savepoint rolls back and it reads the winner's row.
    """
    uid = session.exec(select(Installation.uid).order_by(col(Installation.id)).limit(1)).first()
    if uid is not None:
        return uid
    try:
        with session.begin_nested():
            session.add(Installation(id=1, uid=new_uid()))
    except IntegrityError:
        pass
    return session.exec(select(Installation.uid).order_by(col(Installation.id)).limit(1)).one()


def idempotency_key(installation: str, publication_uid: str) -> str:
    """The key every channel receives: unique across installations, restores and id reuse."""
    return f"gk-{installation}-{publication_uid}"


def create_publications(
    session: Session, item: Item, review: Review, *, emergency: bool = False, content_hash: str | None = None
) -> int:
    """One pending row per chosen channel, bound to the approved revision and its hash; returns how many.

    `content_hash` is the approved revision's hash when the caller has already read it (saves a read).
    The rows go out in one INSERT with the model's defaults for every other column.
    """
    revision_id = item.approved_revision_id
    if content_hash is None:
        revision = session.get(Revision, revision_id) if revision_id is not None else None
        if revision is None:  # the chain approves a revision before it creates the rows
            raise ValueError(f"item {item.id} has no approved revision to publish")
        content_hash = revision.content_hash
    now = utcnow()
    due = now if emergency or not item.publish_at or item.publish_at <= now else item.publish_at
    rows = []
    installation = installation_uid(session) if item.channels else ""
    for chosen in known_targets(item.channels):
        channel, target = chosen.as_columns()
        uid = new_uid()
        rows.append(model_row(Publication, {
            "org_id": item.org_id, "item_id": item.id, "revision_id": revision_id, "content_hash": content_hash,
            "channel": channel, "target": target, "due_at": due, "uid": uid,
            "idempotency_key": idempotency_key(installation, uid),
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
    result = session.exec(
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


def item_went_live(session: Session, item_id: int) -> bool:
    """A publication of the item was confirmed: the item is published from its first live channel on.

    Publication is per channel: the portal post is live (and counted, and on the public pages) while the
    official account still retries or failed. The item row is locked first, so two channels confirming
    at once publish it once. Returns True when this call published it.
    """
    item = session.get(Item, item_id, with_for_update=True)
    if item is None or item.state not in ("approved", "scheduled"):
        return False
    from content.review.chain import mark_published

    mark_published(session, item_id=item_id, item=item)
    return True


LIVE_STATES = (PublicationState.confirmed, PublicationState.withdraw_pending)
WENT_LIVE_STATES = (*LIVE_STATES, PublicationState.withdrawn)


def live_channels(session: Session, item_ids: list[int] | Select, *, since_withdrawn: bool = False
                  ) -> dict[int, list[str]]:
    """Per item, the channel entries (`portal`, `wecom_group:3`…) with a confirmed publication.

    `item_ids`: ids, or a SELECT of item ids (one query for a whole period, e.g. the 两馆 export).
    `since_withdrawn`: also the channels it was taken down from since (where it was disclosed)."""
    if isinstance(item_ids, list) and not item_ids:
        return {}
    states = WENT_LIVE_STATES if since_withdrawn else LIVE_STATES
    found = session.exec(
        select(Publication.item_id, Publication.channel, Publication.target)
        .where(col(Publication.item_id).in_(item_ids), col(Publication.confirmed_at).is_not(None),
               col(Publication.state).in_(states))
        .order_by(col(Publication.id))
    ).all()
    out: dict[int, list[str]] = {}
    for item_id, channel, target in found:
        entry = entry_of(channel, target)
        if entry not in out.setdefault(item_id, []):
            out[item_id].append(entry)
    return out


# How a channel that is not live (yet) is described next to the live ones.
NOT_LIVE_TEXT: dict[str, str] = {
    PublicationState.pending: "等待发送", PublicationState.claimed: "正在发送", PublicationState.sent: "已发送，等待确认",
    PublicationState.failed: "发送失败", PublicationState.unknown: "发送结果待核对",
    PublicationState.withdrawn: "已撤下",
}  # fmt: skip


@dataclass(frozen=True)
class ChannelStatus:
    """Where an item is live and where it is not (yet): labels for people, in the order of its rows."""

    live: list[str]
    not_live: list[tuple[str, str]]  # (channel label, what is going on there)

    def text(self) -> str:
        """"已发布：门户网站、微信公众号；企业微信群（一组）：发送失败"; "" when there is nothing to say."""
        parts = ["已发布：" + "、".join(self.live)] if self.live else []
        parts += [f"{label}：{state}" for label, state in self.not_live]
        return "；".join(parts)


def entry_label(entry: str, group_names: dict[int, str] | None = None) -> str:
    """`portal` → 门户网站; `wecom_group:3` → 企业微信群（网格一群）with the group's name when known."""
    parsed = ChannelTarget.try_parse(entry)
    name = (group_names or {}).get(parsed.target_id) if parsed and parsed.target_id is not None else None
    return channel_label(entry, name)


def group_names(session: Session, org_id: int) -> dict[int, str]:
    from content.robot_groups import robot_names

    return robot_names(session, org_id=org_id)


def channel_status(session: Session, item: Item) -> ChannelStatus:
    """The item's channels from its publication rows: live (a confirmed publication, `live_channels`) and,
    for the others, the state of their newest row. Cancelled rows (an earlier approval) say nothing."""
    rows = session.exec(
        select(Publication.channel, Publication.target, Publication.state)
        .where(Publication.item_id == item.id).order_by(col(Publication.id).desc())
    ).all()
    item_id = pk(item)
    live = live_channels(session, [item_id]).get(item_id, [])
    names = group_names(session, item.org_id) if any(ch == ChannelKind.wecom_group for ch, _, _ in rows) else {}
    newest: dict[str, str] = {}
    for channel, target, state in rows:
        newest.setdefault(entry_of(channel, target), state)
    not_live = [(entry_label(entry, names), NOT_LIVE_TEXT[state]) for entry, state in reversed(newest.items())
                if entry not in live and state in NOT_LIVE_TEXT]
    return ChannelStatus([entry_label(e, names) for e in live], not_live)


def public_channel_labels(entries: list[str]) -> list[str]:
    """For readers: each kind of channel once, no group names (`portal`, `wecom_group:3` → 门户网站、企业微信群)."""
    return list(dict.fromkeys(channel_label(split_channel(entry)[0]) for entry in entries))
