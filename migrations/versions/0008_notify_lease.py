"""notification delivery lease and per-step progress; official-account mass-send quota slots

Revision ID: 0008_notify_lease
Revises: 0002_bot

- `notification.claimed_until`: a row in `sending` whose lease has passed is delivered again
  (bot/notify.py); `notification.progress`: each delivery step's answer (msgid), so a resumed delivery
  skips what was already sent.
- `mp_mass_send`: one row per mass send (群发) of the official account, a slot of its quota window;
  the unique (account, period_key, slot) key makes two schedulers unable to use one slot twice
  (channels/mp/mp_mass.py).
"""
import sqlalchemy as sa
from alembic import op

import content.models.base

revision = "0008_notify_lease"
down_revision = "0002_bot"
branch_labels = None
depends_on = None

UTC = content.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("claimed_until", UTC, nullable=True))
        batch.add_column(sa.Column("progress", sa.JSON(), nullable=True))
    op.create_table(
        "mp_mass_send",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organization.id"), nullable=True),
        sa.Column("account", sa.String(length=128), nullable=False),
        sa.Column("period_key", sa.String(length=10), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), sa.ForeignKey("publication.id"), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("msg_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account", "period_key", "slot", name="uq_mp_mass_send_slot"),
    )
    op.create_index("ix_mp_mass_send_org_id", "mp_mass_send", ["org_id"])
    op.create_index("ix_mp_mass_send_publication_id", "mp_mass_send", ["publication_id"])


def downgrade() -> None:
    op.drop_index("ix_mp_mass_send_publication_id", table_name="mp_mass_send")
    op.drop_index("ix_mp_mass_send_org_id", table_name="mp_mass_send")
    op.drop_table("mp_mass_send")
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("progress")
        batch.drop_column("claimed_until")
