"""`accounts.owner_since`: when the store first saw each record's current owner, so balancing
can leave accounts a rep gained recently where they are (`never_move: {gained_within_days: N}`).

Existing rows start empty (their owner was there before anyone looked); a pull that finds a new
owner, or a write-back, sets it from then on. Downgrading drops it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("owner_since")
