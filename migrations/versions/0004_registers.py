"""registers for the annual report

Revision ID: 0004_registers
Revises: 0001_core
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import content.models.base


revision = '0004_registers'
down_revision = '0001_core'
branch_labels = ('registers',)
depends_on = None


def upgrade() -> None:
    op.create_table('annualfigures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('updated_at', content.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('org_id', 'year')
    )
    op.create_index(op.f('ix_annualfigures_org_id'), 'annualfigures', ['org_id'], unique=False)
    op.create_table('holidayday',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('org_id', 'day')
    )
    op.create_index(op.f('ix_holidayday_org_id'), 'holidayday', ['org_id'], unique=False)
    op.create_index('ix_holidayday_org_year', 'holidayday', ['org_id', 'year'], unique=False)
    op.create_table('interaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('participants', sa.Integer(), nullable=False),
    sa.Column('suggestions', sa.Integer(), nullable=False),
    sa.Column('created_at', content.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_interaction_org_id'), 'interaction', ['org_id'], unique=False)
    op.create_index('ix_interaction_org_start', 'interaction', ['org_id', 'starts_on'], unique=False)
    op.create_table('reporttext',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('layout', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('overview', sa.Text(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('other', sa.Text(), nullable=False),
    sa.Column('draft', sa.JSON(), nullable=True),
    sa.Column('draft_generated_at', content.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', content.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('org_id', 'year')
    )
    op.create_index(op.f('ix_reporttext_org_id'), 'reporttext', ['org_id'], unique=False)
    op.create_table('disclosureapplication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('applicant_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('applicant_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('request', sa.Text(), nullable=False),
    sa.Column('correction_asked_on', sa.Date(), nullable=True),
    sa.Column('correction_received_on', sa.Date(), nullable=True),
    sa.Column('extension_days', sa.Integer(), nullable=False),
    sa.Column('consultation_days', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('due_provisional', sa.Boolean(), nullable=False),
    sa.Column('replied_on', sa.Date(), nullable=True),
    sa.Column('result', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('withheld_reasons', sa.JSON(), nullable=False),
    sa.Column('handler_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reminded_5_on', sa.Date(), nullable=True),
    sa.Column('reminded_1_on', sa.Date(), nullable=True),
    sa.Column('created_at', content.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', content.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['handler_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_application_org_received', 'disclosureapplication', ['org_id', 'received_on'], unique=False)
    op.create_index('ix_application_org_replied', 'disclosureapplication', ['org_id', 'replied_on'], unique=False)
    op.create_index(op.f('ix_disclosureapplication_handler_id'), 'disclosureapplication', ['handler_id'], unique=False)
    op.create_index(op.f('ix_disclosureapplication_org_id'), 'disclosureapplication', ['org_id'], unique=False)
    op.create_table('holidayyear',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('entered_by', sa.Integer(), nullable=True),
    sa.Column('created_at', content.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('org_id', 'year')
    )
    op.create_index(op.f('ix_holidayyear_org_id'), 'holidayyear', ['org_id'], unique=False)
    op.create_table('appealcase',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('case_no', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', content.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['disclosureapplication.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_appeal_org_filed', 'appealcase', ['org_id', 'filed_on'], unique=False)
    op.create_index(op.f('ix_appealcase_org_id'), 'appealcase', ['org_id'], unique=False)


def downgrade() -> None:
    for table in ("appealcase", "disclosureapplication", "reporttext", "interaction", "holidayday",
                  "holidayyear", "annualfigures"):
        op.drop_table(table)
