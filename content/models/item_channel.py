"""Where an item is to be published: the channel kinds, the one parser/formatter of channel entries, and the
`item_channel` child table.

The public contract (the JSON API, the editor form, `Revision.content["channels"]`) is a list of entry
strings: `portal`, `mp`, `board`, `wecom_group:3`. `ChannelTarget` is the only code that parses or formats
them. In the database an item's chosen channels are rows of `item_channel` (one per kind and group robot),
so queries join the table instead of searching the JSON text with LIKE. `Item.channels` still holds the list
(the working copy a revision snapshots, and the text the annual tally's grouped scan reads); the rows follow
every change of it in the same flush (`_write_item_channels`).

The revision snapshot keeps the list of entry strings, in canonical order (`canonical_entries`: the kinds
in the order of `ChannelKind`, groups by robot id), and the content hash covers that list. Revisions
written before the table existed are never rewritten: their stored content and hash stay byte for byte
(and an edit that only reorders the same channels keeps the item's list as it is, see `content.store`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Index, String, UniqueConstraint, delete, event, insert, inspect, text
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from content.models.base import org_fk

if TYPE_CHECKING:
    from content.models.item import Item


class ChannelKind(StrEnum):
    """The publishing channel kinds, in canonical order (the editor's order)."""

    portal = "portal"
    mp = "mp"
    board = "board"
    wecom_group = "wecom_group"  # the only kind with a target: a group robot (robot_group.id)


_ORDER = {kind: n for n, kind in enumerate(ChannelKind)}


class ChannelEntryError(ValueError):
    """An entry string that is no channel (`"fax"`, `"wecom_group:x"`, `"portal:3"`)."""


@dataclass(frozen=True, order=False)
class ChannelTarget:
    """One chosen channel: a kind and, for `wecom_group` only, the robot id."""

    kind: ChannelKind
    target_id: int | None = None

    def __post_init__(self) -> None:
        if (self.kind == ChannelKind.wecom_group) != (self.target_id is not None):
            raise ChannelEntryError(f"{self.kind}: a target is required for wecom_group and only there")

    @classmethod
    def parse(cls, entry: object) -> ChannelTarget:
        """`"wecom_group:3"` → ChannelTarget(wecom_group, 3); anything else than an entry raises ChannelEntryError."""
        if not isinstance(entry, str):
            raise ChannelEntryError(repr(entry))
        raw_kind, sep, raw_target = entry.partition(":")
        try:
            kind = ChannelKind(raw_kind)
        except ValueError:
            raise ChannelEntryError(entry) from None
        if not sep:
            return cls(kind)
        if not (raw_target.isascii() and raw_target.isdigit()) or raw_target.startswith("0"):
            raise ChannelEntryError(entry)
        return cls(kind, int(raw_target))

    @classmethod
    def try_parse(cls, entry: object) -> ChannelTarget | None:
        try:
            return cls.parse(entry)
        except ChannelEntryError:
            return None

    def __str__(self) -> str:
        return self.kind.value if self.target_id is None else f"{self.kind.value}:{self.target_id}"

    def as_columns(self) -> tuple[str, str]:
        """The `Publication` columns (`channel`, `target`): `("wecom_group", "3")`, `("portal", "")`."""
        return self.kind.value, "" if self.target_id is None else str(self.target_id)

    @property
    def sort_key(self) -> tuple[int, int]:
        return _ORDER[self.kind], self.target_id or 0


def parse_entries(entries: Iterable[object] | None) -> list[ChannelTarget]:
    """Parse a list of entries (duplicates dropped, order kept); raises ChannelEntryError naming the bad ones."""
    out: list[ChannelTarget] = []
    bad: list[str] = []
    for entry in entries or []:
        target = ChannelTarget.try_parse(entry)
        if target is None:
            bad.append(str(entry))
        elif target not in out:
            out.append(target)
    if bad:
        raise ChannelEntryError("、".join(bad))
    return out


def canonical(targets: Iterable[ChannelTarget]) -> list[ChannelTarget]:
    return sorted(set(targets), key=lambda t: t.sort_key)


def canonical_entries(targets: Iterable[ChannelTarget]) -> list[str]:
    """The snapshot form: entry strings, kinds in `ChannelKind` order, groups by robot id."""
    return [str(t) for t in canonical(targets)]


def known_targets(entries: Iterable[object] | None) -> list[ChannelTarget]:
    """The parsable entries of a stored list, in its order (stored lists were validated when written)."""
    out: list[ChannelTarget] = []
    for entry in entries or []:
        target = ChannelTarget.try_parse(entry)
        if target is not None and target not in out:
            out.append(target)
    return out


def group_ids(entries: Iterable[object] | None) -> list[int]:
    """The robot ids of the `wecom_group` entries."""
    return [t.target_id for t in known_targets(entries) if t.target_id is not None]


class ItemChannel(SQLModel, table=True):
    """One channel chosen for an item (its working copy; revisions keep the entries in their snapshot)."""

    __tablename__ = "item_channel"
    __table_args__ = (
        UniqueConstraint("item_id", "kind", "target_id"),
        # NULLs are distinct in a unique constraint: a kind without a target is unique through this index.
        Index("uq_item_channel_untargeted", "item_id", "kind", unique=True,
              sqlite_where=text("target_id IS NULL"), postgresql_where=text("target_id IS NULL")),
        Index("ix_item_channel_kind", "org_id", "kind"),
        CheckConstraint(f"kind IN ({', '.join(repr(k.value) for k in ChannelKind)})", name="ck_item_channel_kind"),
    )  # fmt: skip

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = org_fk()
    item_id: int = Field(foreign_key="item.id", index=True, ondelete="CASCADE")
    kind: str = Field(sa_type=String(20))  # a ChannelKind
    target_id: int | None = Field(default=None, foreign_key="robot_group.id")

    @property
    def target(self) -> ChannelTarget:
        return ChannelTarget(ChannelKind(self.kind), self.target_id)


def _changed_channel_lists(session: Session) -> list[Item]:
    from content.models.item import Item as ItemTable

    return [obj for obj in (*session.new, *session.dirty)
            if isinstance(obj, ItemTable) and inspect(obj).attrs.channels.history.has_changes()]


@event.listens_for(Session, "after_flush")
def _write_item_channels(session: Session, _flush_context: object) -> None:
    """Keep `item_channel` equal to the chosen channels of every item whose list changed in this flush.

    Every writer of an item (the store, the importer, the demo) sets `Item.channels`; its rows follow in the
    same flush, hence the same transaction. `after_flush` still sees the flushed objects' history, and the
    ids of new items are known by then.
    """
    items = _changed_channel_lists(session)
    if not items:
        return
    table = ItemChannel.__table__  # type: ignore[attr-defined]
    conn = session.connection()
    known = [item.id for item in items if item not in session.new]  # a new item has no rows yet
    if known:
        conn.execute(delete(table).where(table.c.item_id.in_(known)))
    rows = [{"org_id": item.org_id, "item_id": item.id, "kind": t.kind.value, "target_id": t.target_id}
            for item in items for t in known_targets(item.channels)]
    if rows:
        conn.execute(insert(table), rows)
