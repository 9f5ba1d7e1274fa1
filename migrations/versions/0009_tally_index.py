"""tally statistics: how many groups the annual tally's grouping of item yields (PostgreSQL)

The annual tally (annual/tally.py) scans a year's items once, grouped by topic, area, origin and
the text of the channel list. Without statistics on the cast expression PostgreSQL guesses 200
distinct values per expression, expects ~50,000 groups and sorts a million rows (spilling to disk)
instead of hashing them into the few hundred groups there are. Multi-column statistics on exactly
those keys (ANALYZE keeps them current) let it choose the hash aggregate. SQLite has no such
object and needs none.

Revision ID: 0009_tally_index
Revises: 0004_registers
"""
from alembic import op

revision = "0009_tally_index"
down_revision = "0004_registers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # The expression must match annual/tally.py's `CAST(i.channels AS VARCHAR)` (PostgreSQL 14+).
    op.execute("CREATE STATISTICS item_tally_groups (ndistinct) "
               "ON topic_id, area_id, origin, (CAST(channels AS VARCHAR)) FROM item")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP STATISTICS IF EXISTS item_tally_groups")
