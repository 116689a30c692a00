"""tenants.kb_generation: which of a tenant's vector collections is live (``sochen ingest --rebuild``)

A rebuild re-embeds a tenant's chunks into a fresh collection of the next generation and switches
over by bumping this number in one transaction with ``kb_revision``; 0 is the collection every
tenant has had so far (its name carries no generation).

Revision ID: 0012_kb_generation
Revises: 0011_privacy_rectify
Create Date: 2026-12-06
"""

import sqlalchemy as sa

from alembic import op

revision = "0012_kb_generation"
down_revision = "0011_privacy_rectify"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(sa.Column("kb_generation", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.drop_column("kb_generation")
