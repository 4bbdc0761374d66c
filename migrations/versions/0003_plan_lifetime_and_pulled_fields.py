"""Why a plan was retired, which extra fields the store's accounts were pulled with, and the
records a person took out of the product's hands.

`plans.status_reason` says in words why a plan is superseded (a newer plan for an overlapping
scope, older than `[sync] plan_max_age`, or made with another territory file). `pull_cursors`
`.pulled_fields` lists the extra CRM fields (those a territory file uses) that the last full pull
brought in: when a territory file starts using a field the stored accounts lack, the next pull of
that CRM is a full one. `owner_holds` keeps a person's owner choice found as a conflict, so later
runs leave that record alone while it keeps that owner. `owner_changes.lost_answer_stamp` keeps,
for a write whose answer was lost, the record's modified stamp from just before it was sent, so the
next run can tell a person's undoing of the write from a write that never landed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_reason", sa.String(), nullable=True))
    with op.batch_alter_table("pull_cursors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pulled_fields", JSON, nullable=True))
    with op.batch_alter_table("owner_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lost_answer_stamp", sa.String(length=64), nullable=True))
    op.create_table(
        "owner_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("account_name", sa.String(), nullable=True),
        sa.Column("owner_id", sa.String(length=64), nullable=True),
        sa.Column("planned_owner_id", sa.String(length=64), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("change_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_because", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_owner_holds_record", "owner_holds", ["source", "external_id"])


def downgrade() -> None:
    op.drop_index("ix_owner_holds_record", table_name="owner_holds")
    op.drop_table("owner_holds")
    with op.batch_alter_table("owner_changes", schema=None) as batch_op:
        batch_op.drop_column("lost_answer_stamp")
    with op.batch_alter_table("pull_cursors", schema=None) as batch_op:
        batch_op.drop_column("pulled_fields")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("status_reason")
