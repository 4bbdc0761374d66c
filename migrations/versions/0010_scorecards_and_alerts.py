"""Scorecard snapshots and alerts.

`scorecard_snapshots` keeps, for every run, each territory's (and each owner member's) goal and
actual per metric and period, so trends and "what changed since last week" are read from the
database instead of pulled again. `alerts` records every alert the product decided to send: its
event, channel and recipient (an email address or a channel's name, never a webhook URL), the
text, a key that makes the same alert once only, and how sending went (pending, sent, failed,
with attempts and the last error). Downgrading drops both.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scorecard_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("territory", sa.String(length=255), nullable=False),
        sa.Column("rep_email", sa.String(length=320), nullable=True),
        sa.Column("metric", sa.String(length=32), nullable=False),
        sa.Column("goal", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("actual", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_scorecard_snapshots_period_territory",
        "scorecard_snapshots",
        ["period", "territory", "taken_at"],
    )
    op.create_index("ix_scorecard_snapshots_run", "scorecard_snapshots", ["run_id"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("dedup_key", sa.String(length=128), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedup_key", name="uq_alerts_dedup_key"),
    )
    op.create_index("ix_alerts_status", "alerts", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_alerts_status", table_name="alerts")
    op.drop_table("alerts")
    op.drop_index("ix_scorecard_snapshots_run", table_name="scorecard_snapshots")
    op.drop_index("ix_scorecard_snapshots_period_territory", table_name="scorecard_snapshots")
    op.drop_table("scorecard_snapshots")
