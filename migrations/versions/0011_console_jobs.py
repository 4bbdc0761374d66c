"""Console jobs kept in the database: their progress survives a console restart.

A row per job started from the console or its API (a plan, an apply, a what-if, a quick
assignment): its kind, who started it, its state, the phase it is in with the records done of the
total (overall and per CRM, as JSON), the API calls made per CRM, how it ended (when, the message,
a what-if's result, the run and plan it made) and the process that runs it (host, pid, and the
runner's id), so a console reading a job whose process is gone marks it interrupted. Downgrading
drops the table: jobs are then kept in memory again, as before.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql")


def upgrade() -> None:
    op.create_table(
        "console_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("started_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("phase", sa.String(length=200), nullable=False),
        sa.Column("phase_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("progress", JSON, nullable=False),
        sa.Column("api_calls", JSON, nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("result", JSON, nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("run_status", sa.String(length=16), nullable=True),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_console_jobs_state", "console_jobs", ["state"])


def downgrade() -> None:
    op.drop_index("ix_console_jobs_state", table_name="console_jobs")
    op.drop_table("console_jobs")
