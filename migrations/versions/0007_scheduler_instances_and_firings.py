"""The scheduler's instances with their heartbeat, and one row per fire time acted on.

`scheduler_instances` lets `/healthz` and `territory-sync scheduler status` tell a live scheduler
from a stuck or dead one; `schedule_firings`, unique on (job id, fire time), lets several
schedulers share a database with exactly one run per fire time, and records catch-up runs and fire
times missed outside the grace time.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-17 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduler_instances",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_seconds", sa.Integer(), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stop_reason", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_scheduler_instances_heartbeat_at", "scheduler_instances", ["heartbeat_at"])
    op.create_table(
        "schedule_firings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=191), nullable=False),
        sa.Column("fire_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("coalesced", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(length=32), nullable=True),
        sa.Column("host", sa.String(length=255), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_schedule_firings_run_id_runs"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job_id", "fire_time", name="uq_schedule_firings_job_id_fire_time"),
    )


def downgrade() -> None:
    op.drop_table("schedule_firings")
    op.drop_index("ix_scheduler_instances_heartbeat_at", table_name="scheduler_instances")
    op.drop_table("scheduler_instances")
