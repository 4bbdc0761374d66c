"""Contacts and opportunities (deals), and owner changes and audit rows that can be about them.

`contacts` and `opportunities` hold the records that hang off an account, keyed like accounts by
(source, external id) and indexed by their account, which is how the planner reads them. An owner
change names what it moves (`object_name`: account, contact or opportunity; existing rows are
accounts) and, for a related record, the account it follows (`parent_external_id`); so do audit
rows (null for accounts, so rows written before keep their hashes). Downgrading drops them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 07:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _record_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("account_external_id", sa.String(length=64), nullable=True),
        sa.Column("owner_id", sa.String(length=64), nullable=True),
    ]


def _seen_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("crm_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "contacts",
        *_record_columns(),
        sa.Column("email", sa.String(length=320), nullable=True),
        *_seen_columns(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "external_id", name="uq_contacts_source_external_id"),
    )
    op.create_index("ix_contacts_account", "contacts", ["source", "account_external_id"])
    op.create_table(
        "opportunities",
        *_record_columns(),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("stage", sa.String(length=255), nullable=True),
        sa.Column("pipeline", sa.String(length=255), nullable=True),
        sa.Column("amount", sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("close_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_closed", sa.Boolean(), nullable=False),
        sa.Column("is_won", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        *_seen_columns(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "external_id", name="uq_opportunities_source_external_id"),
    )
    op.create_index("ix_opportunities_account", "opportunities", ["source", "account_external_id"])
    with op.batch_alter_table("owner_changes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("object_name", sa.String(length=16), nullable=False, server_default="account")
        )
        batch_op.add_column(sa.Column("parent_external_id", sa.String(length=64), nullable=True))
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("object_name", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("parent_external_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("parent_external_id")
        batch_op.drop_column("object_name")
    with op.batch_alter_table("owner_changes", schema=None) as batch_op:
        batch_op.drop_column("parent_external_id")
        batch_op.drop_column("object_name")
    op.drop_index("ix_opportunities_account", table_name="opportunities")
    op.drop_table("opportunities")
    op.drop_index("ix_contacts_account", table_name="contacts")
    op.drop_table("contacts")
