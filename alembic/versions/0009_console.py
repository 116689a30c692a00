"""console: users, login attempts, read marks; who took a handed-off conversation

Revision ID: 0009_console
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa

from alembic import op

revision = "0009_console"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_users",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant", sa.String(length=63), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("login", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_users")),
    )
    op.create_index("ix_console_users_login", "console_users", ["login"], unique=True)
    op.create_index(op.f("ix_console_users_tenant"), "console_users", ["tenant"], unique=False)
    op.create_table(
        "console_login_attempts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("login", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_login_attempts")),
    )
    op.create_index("ix_console_login_attempts_login_at", "console_login_attempts", ["login", "at"])
    op.create_index("ix_console_login_attempts_address_at", "console_login_attempts", ["address", "at"])
    op.create_table(
        "console_read_marks",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("turns_seen", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["console_users.id"],
            name=op.f("fk_console_read_marks_user_id_console_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_console_read_marks_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "conversation_id", name=op.f("pk_console_read_marks")),
    )
    op.create_index(
        op.f("ix_console_read_marks_conversation_id"), "console_read_marks", ["conversation_id"], unique=False
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("taken_by", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("taken_by")
    op.drop_index(op.f("ix_console_read_marks_conversation_id"), table_name="console_read_marks")
    op.drop_table("console_read_marks")
    op.drop_index("ix_console_login_attempts_address_at", table_name="console_login_attempts")
    op.drop_index("ix_console_login_attempts_login_at", table_name="console_login_attempts")
    op.drop_table("console_login_attempts")
    op.drop_index(op.f("ix_console_users_tenant"), table_name="console_users")
    op.drop_index("ix_console_users_login", table_name="console_users")
    op.drop_table("console_users")
