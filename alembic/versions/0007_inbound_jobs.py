"""inbound events run as outbox jobs; delivery state of sent messages; several person replies per turn

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_jobs") as batch:
        batch.add_column(sa.Column("external_id", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("delivery_status", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("delivery_error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("delivery_updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_outbox_jobs_tenant_external", ["tenant", "external_id"])
    with op.batch_alter_table("conversation_turns") as batch:
        batch.drop_constraint("uq_conversation_turns_conversation_id", type_="unique")
        batch.create_unique_constraint(
            "uq_conversation_turns_conversation_id", ["conversation_id", "turn", "role", "message_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("conversation_turns") as batch:
        batch.drop_constraint("uq_conversation_turns_conversation_id", type_="unique")
        batch.create_unique_constraint("uq_conversation_turns_conversation_id", ["conversation_id", "turn", "role"])
    with op.batch_alter_table("outbox_jobs") as batch:
        batch.drop_index("ix_outbox_jobs_tenant_external")
        batch.drop_column("delivery_updated_at")
        batch.drop_column("delivery_error")
        batch.drop_column("delivery_status")
        batch.drop_column("external_id")
