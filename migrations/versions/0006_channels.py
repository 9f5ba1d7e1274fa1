"""extra channels: group robots, robot send log, bulletin-board notices

Revision ID: 0006_channels
Revises: 0001_core
"""
from alembic import op
import sqlalchemy as sa
import content.models.base


revision = "0006_channels"
down_revision = "0001_core"
branch_labels = ("channels",)
depends_on = None

UTC = content.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "robot_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("webhook_url", sa.String(length=500), nullable=False),
        sa.Column("msg_type", sa.String(length=10), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", UTC, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "name"),
    )
    op.create_index("ix_robot_group_org_id", "robot_group", ["org_id"])
    op.create_table(
        "robot_send",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("robot_id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["robot_id"], ["robot_group.id"]),
        sa.ForeignKeyConstraint(["publication_id"], ["publication.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_robot_send_org_id", "robot_send", ["org_id"])
    op.create_index("ix_robot_send_window", "robot_send", ["robot_id", "sent_at"])
    op.create_table(
        "board_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("link_url", sa.String(length=500), nullable=False),
        sa.Column("issued_on", UTC, nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("posted_by", sa.Integer(), nullable=True),
        sa.Column("posted_at", UTC, nullable=True),
        sa.Column("taken_down_by", sa.Integer(), nullable=True),
        sa.Column("taken_down_at", UTC, nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"]),
        sa.ForeignKeyConstraint(["publication_id"], ["publication.id"]),
        sa.ForeignKeyConstraint(["revision_id"], ["revision.id"]),
        sa.ForeignKeyConstraint(["posted_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["taken_down_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("publication_id"),
    )
    op.create_index("ix_board_notice_org_id", "board_notice", ["org_id"])
    op.create_index("ix_board_notice_item_id", "board_notice", ["item_id"])
    op.create_index("ix_board_notice_state", "board_notice", ["state"])


def downgrade() -> None:
    op.drop_table("board_notice")
    op.drop_table("robot_send")
    op.drop_table("robot_group")
