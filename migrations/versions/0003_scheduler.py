"""scheduler heartbeat

Revision ID: 0003_scheduler
Revises: 0001_core
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import content.models.base


revision = '0003_scheduler'
down_revision = '0001_core'
branch_labels = ('scheduler',)
depends_on = None


def upgrade() -> None:
    op.create_table('scheduler_heartbeat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('interval_seconds', sa.Float(), nullable=False),
    sa.Column('started_at', content.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('beat_at', content.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('info', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('instance')
    )
    with op.batch_alter_table('scheduler_heartbeat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheduler_heartbeat_beat_at'), ['beat_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('scheduler_heartbeat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scheduler_heartbeat_beat_at'))
    op.drop_table('scheduler_heartbeat')
