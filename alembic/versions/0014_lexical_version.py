"""kb_collections.lexical_version: what kind of terms a collection's lexical sparse vectors hold

Version 2 (rag9) adds adjacent word pairs to the lexical sparse vectors of chunks and queries. A
collection written before has version 1 (the server default here) and is rewritten — its sparse vectors
only, no embedding — by the next ingest (``sochen.rag.sparse_stats.refresh``), so that one collection
never mixes the two kinds for longer than that rewrite.

Revision ID: 0014_lexical_version
Revises: 0013_kb_collections
Create Date: 2026-12-06
"""

import sqlalchemy as sa

from alembic import op

revision = "0014_lexical_version"
down_revision = "0013_kb_collections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("kb_collections") as batch:
        batch.add_column(sa.Column("lexical_version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("kb_collections") as batch:
        batch.drop_column("lexical_version")
