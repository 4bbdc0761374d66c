"""Why a plan was retired, and which extra fields the store's accounts were pulled with.

`plans.status_reason` says in words why a plan is superseded (a newer plan for an overlapping
scope, older than `[sync] plan_max_age`, or made with another territory file). `pull_cursors`
`.pulled_fields` lists the extra CRM fields (those a territory file uses) that the last full pull
brought in: when a territory file starts using a field the stored accounts lack, the next pull of
that CRM is a full one.

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


def downgrade() -> None:
    with op.batch_alter_table("pull_cursors", schema=None) as batch_op:
        batch_op.drop_column("pulled_fields")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("status_reason")
