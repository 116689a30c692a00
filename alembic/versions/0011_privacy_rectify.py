"""privacy: corrections (privacy_operations.request) and conversations.contact_id found by a keyed hash

``privacy_operations.request`` holds what a correction asked for (encrypted at rest by the model).

The address column becomes Text (a Fernet token is longer than 128 characters) and a
``contact_key`` column holds its HMAC under the lookup key (``SOCHEN_LOOKUP_KEYS``; the built-in one
when none is set, see :mod:`sochen.db.crypto`). The backfill hashes every existing row here; the
values themselves are encrypted by ``sochen privacy encrypt`` (as every other encrypted column).

Revision ID: 0011_privacy_rectify
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa

from alembic import op

revision = "0011_privacy_rectify"
down_revision = "0010_webchat"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from sochen.db.crypto import TEXT_PREFIX, decrypt_raw, lookup_hash

    with op.batch_alter_table("privacy_operations") as batch:
        batch.add_column(sa.Column("request", sa.JSON(), nullable=True))

    with op.batch_alter_table("conversations") as batch:
        batch.alter_column("contact_id", existing_type=sa.String(length=128), type_=sa.Text(), existing_nullable=False)
        batch.add_column(sa.Column("contact_key", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    table = sa.table("conversations", sa.column("id", sa.String), sa.column("contact_id", sa.Text))
    keys = sa.table("conversations", sa.column("id", sa.String), sa.column("contact_key", sa.String))
    after = ""
    while True:
        rows = conn.execute(
            sa.select(table.c.id, table.c.contact_id).where(table.c.id > after).order_by(table.c.id).limit(500)
        ).all()
        if not rows:
            break
        for row_id, value in rows:
            if value.startswith(TEXT_PREFIX):  # encrypted by a later `privacy encrypt`, then downgraded
                value = decrypt_raw(value[len(TEXT_PREFIX) :].encode("ascii")).decode("utf-8")
            conn.execute(sa.update(keys).where(keys.c.id == row_id).values(contact_key=lookup_hash(value)))
        after = rows[-1][0]
    with op.batch_alter_table("conversations") as batch:
        batch.alter_column("contact_key", existing_type=sa.String(length=64), nullable=False)
        batch.create_index("ix_conversations_tenant_contact_key", ["tenant", "contact_key"])


def downgrade() -> None:
    # Values encrypted since the upgrade must be decrypted first (`sochen privacy decrypt` does not
    # exist): the downgrade refuses rather than truncate a token into a 128-character column.
    conn = op.get_bind()
    encrypted = conn.execute(sa.text("SELECT count(*) FROM conversations WHERE contact_id LIKE 'enc:f1:%'")).scalar()
    if encrypted:
        raise RuntimeError(
            "conversations.contact_id holds encrypted values: a downgrade would lose them (decrypt them first)"
        )
    with op.batch_alter_table("conversations") as batch:
        batch.drop_index("ix_conversations_tenant_contact_key")
        batch.drop_column("contact_key")
        batch.alter_column("contact_id", existing_type=sa.Text(), type_=sa.String(length=128), existing_nullable=False)
    with op.batch_alter_table("privacy_operations") as batch:
        batch.drop_column("request")
