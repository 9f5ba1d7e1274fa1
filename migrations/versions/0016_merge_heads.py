"""one head again: merge the file store, accounts, publication keys and editor nonce migrations

Revision ID: 0016_merge_heads
Revises: 0012_file_store, 0013_accounts_sessions, 0014_publication_keys, 0015_editor_form_nonces
"""

revision = "0016_merge_heads"
down_revision = ("0012_file_store", "0013_accounts_sessions", "0014_publication_keys", "0015_editor_form_nonces")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
