"""webchat: the web chat channel's visitors and their message streams

Revision ID: 0010_webchat
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa

from alembic import op

revision = "0010_webchat"
down_revision = "0009_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webchat_visitors",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webchat_visitors")),
    )
    op.create_index("ix_webchat_visitors_tenant_seen", "webchat_visitors", ["tenant", "last_seen_at"])
    op.create_table(
        "webchat_messages",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=False),
        sa.Column("visitor_id", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["visitor_id"], ["webchat_visitors.id"],
                                name=op.f("fk_webchat_messages_visitor_id_webchat_visitors"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webchat_messages")),
        sa.UniqueConstraint("visitor_id", "seq", name=op.f("uq_webchat_messages_visitor_id")),
    )


def downgrade() -> None:
    op.drop_table("webchat_messages")
    op.drop_index("ix_webchat_visitors_tenant_seen", table_name="webchat_visitors")
    op.drop_table("webchat_visitors")
