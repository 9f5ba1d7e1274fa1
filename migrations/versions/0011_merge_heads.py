"""one head from here on: merge the per-feature branches

Revision ID: 0011_merge_heads
Revises: 0008_notify_lease, 0003_scheduler, 0009_tally_index, 0006_channels, 0010_item_cover_text
"""

revision = "0011_merge_heads"
down_revision = ("0008_notify_lease", "0003_scheduler", "0009_tally_index", "0006_channels",
                 "0010_item_cover_text")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
