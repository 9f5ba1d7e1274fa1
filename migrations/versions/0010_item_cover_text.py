"""item cover image as text: the editor stores the cover like body images, as a data: URI

A jpg/png cover under 1 MB is up to ~1.4 MB of base64, far beyond the VARCHAR(500) of 0001_core.
SQLite does not enforce VARCHAR lengths, so only PostgreSQL needs the column changed.

Revision ID: 0010_item_cover_text
Revises: 0001_core
"""
from alembic import op
import sqlalchemy as sa


revision = "0010_item_cover_text"
down_revision = "0001_core"
branch_labels = ("item_media",)
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("item", "cover_image", type_=sa.Text(), existing_type=sa.String(length=500),
                        existing_nullable=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("item", "cover_image", type_=sa.String(length=500), existing_type=sa.Text(),
                        existing_nullable=True)
