"""item channels as a child table: `item_channel` rows (item, kind, group robot) from each item's channel list

The chosen channels of an item were only a JSON list of entry strings (`portal`, `wecom_group:3`) searched with
LIKE. Each entry becomes a row of `item_channel`; the list itself and every revision's snapshot stay as they
are (the content hashes of existing revisions do not change). Entries that name no channel, or a group robot
that does not exist in the item's org, get no row: such an entry could not be published (the store refuses it
since; the item's list and its revisions still show it).

The parser is frozen here (not imported from content.models.item_channel) so this migration means the same
thing whatever the code becomes.

Revision ID: 0017_item_channels
Revises: 0016_merge_heads
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0017_item_channels"
down_revision = "0016_merge_heads"
branch_labels = None
depends_on = None

BATCH = 1_000
_ENTRY = re.compile(r"^(portal|mp|board)$|^wecom_group:([1-9][0-9]*)$")
_KINDS = "kind IN ('portal', 'mp', 'board', 'wecom_group')"


def _rows(item_id: int, org_id: int, channels: object, robots: set[tuple[int, int]]) -> list[dict]:
    out: list[dict] = []
    seen: set[tuple[str, int | None]] = set()
    for entry in channels if isinstance(channels, list) else []:
        match = _ENTRY.match(entry) if isinstance(entry, str) else None
        if match is None:
            continue
        kind, target = (match.group(1), None) if match.group(1) else ("wecom_group", int(match.group(2)))
        if (kind, target) in seen or (target is not None and (org_id, target) not in robots):
            continue
        seen.add((kind, target))
        out.append({"org_id": org_id, "item_id": item_id, "kind": kind, "target_id": target})
    return out


def upgrade() -> None:
    op.create_table(
        "item_channel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["target_id"], ["robot_group.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "kind", "target_id"),
        sa.CheckConstraint(_KINDS, name="ck_item_channel_kind"),
    )
    op.create_index("ix_item_channel_org_id", "item_channel", ["org_id"])
    op.create_index("ix_item_channel_item_id", "item_channel", ["item_id"])
    op.create_index("ix_item_channel_kind", "item_channel", ["org_id", "kind"])
    op.create_index("uq_item_channel_untargeted", "item_channel", ["item_id", "kind"], unique=True,
                    sqlite_where=sa.text("target_id IS NULL"), postgresql_where=sa.text("target_id IS NULL"))

    conn = op.get_bind()
    item = sa.table("item", sa.column("id", sa.Integer), sa.column("org_id", sa.Integer),
                    sa.column("channels", sa.JSON))
    robot = sa.table("robot_group", sa.column("id", sa.Integer), sa.column("org_id", sa.Integer))
    target = sa.table("item_channel", sa.column("org_id", sa.Integer), sa.column("item_id", sa.Integer),
                      sa.column("kind", sa.String), sa.column("target_id", sa.Integer))
    robots = {(org_id, robot_id) for robot_id, org_id in conn.execute(sa.select(robot.c.id, robot.c.org_id))}
    last = 0
    while True:  # keyset batches: a large item table is never held in memory at once
        batch = conn.execute(sa.select(item.c.id, item.c.org_id, item.c.channels).where(item.c.id > last)
                             .order_by(item.c.id).limit(BATCH)).all()
        if not batch:
            break
        rows = [row for item_id, org_id, channels in batch for row in _rows(item_id, org_id, channels, robots)]
        if rows:
            conn.execute(target.insert(), rows)
        last = batch[-1][0]


def downgrade() -> None:
    op.drop_table("item_channel")
