"""tally index: publications by org, channel and send time

The annual tally counts items posted to grid groups and bulletin boards from the outbox
(content/tally.py); this index lets it read only those channels' rows of the year instead of
every portal and official-account publication. The outbox's own views (per channel, per period)
use it too.

Revision ID: 0009_tally_index
Revises: 0004_registers
"""
from alembic import op


revision = "0009_tally_index"
down_revision = "0004_registers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_publication_org_channel_sent", "publication", ["org_id", "channel", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_publication_org_channel_sent", table_name="publication")
