"""kb_collections (per vector collection: the average chunk length of its sparse vectors) and chunks.lexical_length

A collection's lexical sparse vectors carry BM25's length normalisation, chunk length over the
collection's average length, fixed when each vector is written. The average is measured at ingest and
kept per collection (``kb_collections.sparse_avg_len``); each chunk's own length is kept on its row
(``chunks.lexical_length``) so the average can be measured again in SQL after every ingest. Rows
written before this have no length (measured on first use); collections written before this have no
row and were written with the old constant, 150 (``sochen.rag.lexical.LEGACY_AVG_LEN``).

Revision ID: 0013_kb_collections
Revises: 0012_kb_generation
Create Date: 2026-12-06
"""

import sqlalchemy as sa

from alembic import op

revision = "0013_kb_collections"
down_revision = "0012_kb_generation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_collections",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("sparse_avg_len", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_kb_collections_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_kb_collections")),
    )
    op.create_index(op.f("ix_kb_collections_tenant_id"), "kb_collections", ["tenant_id"])
    with op.batch_alter_table("chunks") as batch:
        batch.add_column(sa.Column("lexical_length", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chunks") as batch:
        batch.drop_column("lexical_length")
    op.drop_index(op.f("ix_kb_collections_tenant_id"), table_name="kb_collections")
    op.drop_table("kb_collections")
