"""Two columns nothing reads are dropped: `pull_cursors.full_pull_started_at` (a full pull flags
the records it did not see as it finishes, from its own start time) and `reps.capacity_weight`
(weights and capacities are the territory file's, per membership).

Downgrading adds them back, empty.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-12 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pull_cursors", schema=None) as batch_op:
        batch_op.drop_column("full_pull_started_at")
    with op.batch_alter_table("reps", schema=None) as batch_op:
        batch_op.drop_column("capacity_weight")


def downgrade() -> None:
    with op.batch_alter_table("reps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("capacity_weight", sa.Float(), nullable=True))
    with op.batch_alter_table("pull_cursors", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("full_pull_started_at", sa.DateTime(timezone=True), nullable=True)
        )
