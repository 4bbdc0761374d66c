"""The audit chain becomes keyed, numbered and serialised.

`audit_log.seq` numbers the rows of the chain (1, 2, 3... in id order for the rows already there)
and `audit_log.key_id` names the key whose HMAC signs a row; rows already there keep their plain
SHA-256 hashes and a null key id: they form the legacy segment. `audit_chain_head` is the chain's
one-row head (row count, last id, last hash, key id, signature), locked and updated by every
append; it starts as the legacy log's head, unsigned, since no key is needed to upgrade.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64
NUMBERING_BATCH = 10_000


def _number_existing_rows(connection: sa.Connection) -> None:
    """seq = the row's place in id order, in batches (portable to every SQLite version)."""
    last_id, seq = 0, 0
    while True:
        ids = connection.execute(
            sa.text("SELECT id FROM audit_log WHERE id > :last ORDER BY id LIMIT :batch"),
            {"last": last_id, "batch": NUMBERING_BATCH},
        ).scalars()
        batch = [{"row_id": row_id, "seq": seq + n} for n, row_id in enumerate(ids, start=1)]
        if not batch:
            return
        connection.execute(sa.text("UPDATE audit_log SET seq = :seq WHERE id = :row_id"), batch)
        last_id, seq = batch[-1]["row_id"], batch[-1]["seq"]


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
    connection = op.get_bind()
    _number_existing_rows(connection)
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint("uq_audit_log_seq", ["seq"])

    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=True),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=True),
        sa.Column("signature", sa.String(length=64), nullable=True),
        sa.CheckConstraint("id = 1", name="ck_audit_chain_head_one_row"),
        sa.PrimaryKeyConstraint("id"),
    )
    last = connection.execute(
        sa.text("SELECT id, row_hash FROM audit_log ORDER BY id DESC LIMIT 1")
    ).first()
    count = connection.execute(sa.text("SELECT COUNT(*) FROM audit_log")).scalar_one()
    connection.execute(
        sa.text(
            "INSERT INTO audit_chain_head (id, row_count, last_id, last_hash) "
            "VALUES (1, :count, :last_id, :last_hash)"
        ),
        {
            "count": count,
            "last_id": last[0] if last else None,
            "last_hash": last[1] if last else GENESIS_HASH,
        },
    )


def downgrade() -> None:
    op.drop_table("audit_chain_head")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint("uq_audit_log_seq", type_="unique")
        batch_op.drop_column("key_id")
        batch_op.drop_column("seq")
