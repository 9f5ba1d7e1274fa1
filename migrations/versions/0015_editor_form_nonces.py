"""editor form nonces: a repeated 新建稿件 POST finds the item its first POST created

Revision ID: 0015_editor_form_nonces
Revises: 0011_merge_heads
"""
from alembic import op
import sqlalchemy as sa
import content.models.base


revision = "0015_editor_form_nonces"
down_revision = "0011_merge_heads"
branch_labels = None
depends_on = None

UTC = content.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "form_nonce",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "nonce", name="uq_form_nonce_user_nonce"),
    )
    op.create_index("ix_form_nonce_org_id", "form_nonce", ["org_id"])


def downgrade() -> None:
    op.drop_index("ix_form_nonce_org_id", table_name="form_nonce")
    op.drop_table("form_nonce")
