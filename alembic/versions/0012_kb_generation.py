"""tenants.kb_generation: which of a tenant's vector collections is live (``sochen ingest --rebuild``)

A rebuild re-embeds a tenant's chunks into a fresh collection of the next generation and switches
over by bumping this number in one transaction with ``kb_revision``; 0 is the collection every
tenant has had so far (its name carries no generation). A rebuild first claims the tenant
(``kb_rebuild_token`` with a lease until ``kb_rebuild_until``, epoch seconds) so that two rebuilds
never fill or drop each other's collection; ``kb_switched_at`` (epoch seconds) is when the last
switch happened, so the collection it left behind is dropped only after a grace period.

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
        batch.add_column(sa.Column("kb_rebuild_token", sa.String(32), nullable=True))
        batch.add_column(sa.Column("kb_rebuild_until", sa.Float(), nullable=True))
        batch.add_column(sa.Column("kb_switched_at", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.drop_column("kb_switched_at")
        batch.drop_column("kb_rebuild_until")
        batch.drop_column("kb_rebuild_token")
        batch.drop_column("kb_generation")
