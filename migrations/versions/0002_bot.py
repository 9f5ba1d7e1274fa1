"""bot tables: access-token cache, inbound dedupe, binding codes, pending reasons, publish events

Revision ID: 0002_bot
Revises: 0001_core
"""
import sqlalchemy as sa
from alembic import op

import content.models.base

revision = "0002_bot"
down_revision = "0001_core"
branch_labels = ("bot",)
depends_on = None

UTC = content.models.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "bot_access_token",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("expires_at", UTC(timezone=True), nullable=False),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "bot_inbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organization.id"), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("dedupe_key", sa.String(length=300), nullable=False),
        sa.Column("sender", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("msg_type", sa.String(length=40), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "dedupe_key", name="uq_bot_inbound_key"),
    )
    op.create_index("ix_bot_inbound_org_id", "bot_inbound", ["org_id"])
    op.create_index("ix_bot_inbound_sender", "bot_inbound", ["sender"])
    op.create_table(
        "bot_binding_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organization.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", UTC(timezone=True), nullable=False),
        sa.Column("used_at", UTC(timezone=True), nullable=True),
        sa.Column("used_by_sender", sa.String(length=128), nullable=True),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )
    op.create_index("ix_bot_binding_code_org_id", "bot_binding_code", ["org_id"])
    op.create_index("ix_bot_binding_code_user_id", "bot_binding_code", ["user_id"])
    op.create_table(
        "bot_pending_reason",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), sa.ForeignKey("organization.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("item.id"), nullable=False),
        sa.Column("revision_id", sa.Integer(), sa.ForeignKey("revision.id"), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("response_code", sa.String(length=200), nullable=True),
        sa.Column("expires_at", UTC(timezone=True), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
    )
    op.create_index("ix_bot_pending_reason_org_id", "bot_pending_reason", ["org_id"])
    op.create_table(
        "bot_publish_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.String(length=128), nullable=False),
        sa.Column("publish_id", sa.String(length=64), nullable=False),
        sa.Column("publish_status", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.String(length=200), nullable=True),
        sa.Column("article_urls", sa.JSON(), nullable=False),
        sa.Column("fail_idx", sa.JSON(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("received_at", UTC(timezone=True), nullable=False),
        sa.Column("consumed_at", UTC(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("app_id", "publish_id", name="uq_bot_publish_event"),
    )
    op.create_index("ix_bot_publish_event_publish_id", "bot_publish_event", ["publish_id"])
    op.create_index("ix_bot_publish_event_consumed_at", "bot_publish_event", ["consumed_at"])


def downgrade() -> None:
    for table in ("bot_publish_event", "bot_pending_reason", "bot_binding_code", "bot_inbound",
                  "bot_access_token"):
        op.drop_table(table)
