"""accounts and sessions: server-side sessions, failed-login records, forced password change

Revision ID: 0013_accounts_sessions
Revises: 0011_merge_heads
"""
import sqlalchemy as sa
from alembic import op

import content.models.base

revision = "0013_accounts_sessions"
down_revision = "0011_merge_heads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("created_at", content.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", content.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", content.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_index("ix_auth_session_user_id", "auth_session", ["user_id"])
    op.create_index("ix_auth_session_org_id", "auth_session", ["org_id"])
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("created_at", content.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_failure_login_address", "login_failure", ["login", "address", "created_at"])
    op.create_index("ix_login_failure_address", "login_failure", ["address", "created_at"])
    op.add_column("app_user", sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                        server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("must_change_password")
    op.drop_table("login_failure")
    op.drop_table("auth_session")
