"""publication keys unique across installations and restores

Adds the `installation` table (one row, a random uid) and `publication.uid` (a random uid per row).
Existing rows get a uid each; rows that never went out (pending, no attempt yet) also get the new
idempotency key `gk-{installation}-{publication}`, so a restored database cannot send them under a key
an older post already uses.

Revision ID: 0014_publication_keys
Revises: 0011_merge_heads
"""

import uuid

import sqlalchemy as sa
from alembic import op

import content.models.base

revision = "0014_publication_keys"
down_revision = "0011_merge_heads"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    op.create_table(
        "installation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False),
        sa.Column("created_at", content.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid"),
    )
    bind = op.get_bind()
    installation = uuid.uuid4().hex
    bind.execute(sa.text("INSERT INTO installation (id, uid, created_at) VALUES (1, :uid, CURRENT_TIMESTAMP)"),
                 {"uid": installation})
    with op.batch_alter_table("publication") as batch:
        batch.add_column(sa.Column("uid", sa.String(length=32), nullable=True))
    if bind.dialect.name == "postgresql":
        _backfill_postgresql(bind, installation)
    else:
        _backfill_in_batches(bind, installation)
    with op.batch_alter_table("publication") as batch:
        batch.alter_column("uid", existing_type=sa.String(length=32), nullable=False)
        batch.create_unique_constraint("uq_publication_uid", ["uid"])


def _backfill_postgresql(bind, installation: str) -> None:
    """Two statements whatever the table size: gen_random_uuid() (PostgreSQL 13+) as 32 hex digits, like
    uuid4().hex; then the new key for the rows that never went out, made from that uid."""
    bind.execute(sa.text("UPDATE publication SET uid = replace(CAST(gen_random_uuid() AS text), '-', '')"))
    bind.execute(sa.text("UPDATE publication SET idempotency_key = 'gk-' || :inst || '-' || uid "
                         "WHERE state = 'pending' AND COALESCE(attempts, 0) = 0"), {"inst": installation})


def _backfill_in_batches(bind, installation: str) -> None:
    """SQLite has no UUID function: uids made here, written 1,000 rows a statement."""
    rows = bind.execute(sa.text("SELECT id, state, attempts, idempotency_key FROM publication ORDER BY id")).all()
    for start in range(0, len(rows), BATCH):
        params = []
        for pub_id, state, attempts, key in rows[start:start + BATCH]:
            uid = uuid.uuid4().hex
            fresh = state == "pending" and not attempts  # never sent: safe to give it the new key
            params.append({"id": pub_id, "uid": uid, "key": f"gk-{installation}-{uid}" if fresh else key})
        bind.execute(sa.text("UPDATE publication SET uid = :uid, idempotency_key = :key WHERE id = :id"), params)


def downgrade() -> None:
    with op.batch_alter_table("publication") as batch:
        batch.drop_constraint("uq_publication_uid", type_="unique")
        batch.drop_column("uid")
    op.drop_table("installation")
