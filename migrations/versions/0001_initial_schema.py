"""Initial schema: unified accounts, reps, company links, runs, cursors, plans, audit log.

Also the scheduler's job store table, in the shape APScheduler 3's SQLAlchemyJobStore defines.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 23:43:16.289855
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("website", sa.String(), nullable=True),
        sa.Column("domain", sa.String(length=255), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("region", sa.String(length=8), nullable=True),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("postal_code", sa.String(length=32), nullable=True),
        sa.Column("industry_raw", sa.String(), nullable=True),
        sa.Column("industry", sa.String(length=64), nullable=True),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("annual_revenue", sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column("owner_id", sa.String(length=64), nullable=True),
        sa.Column("crm_modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column(
            "raw", sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"), nullable=False
        ),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "external_id", name="uq_accounts_source_external_id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Room in each page for the new version of a row: a pull's update of an account can then
        # stay on its page without touching the index (a HOT update).
        op.execute("ALTER TABLE accounts SET (fillfactor = 70)")
    op.create_table(
        "company_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("salesforce_id", sa.String(length=64), nullable=False),
        sa.Column("hubspot_id", sa.String(length=64), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=True),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hubspot_id"),
        sa.UniqueConstraint("salesforce_id"),
    )
    op.create_table(
        "link_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("salesforce_id", sa.String(length=64), nullable=False),
        sa.Column("hubspot_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("salesforce_id", "hubspot_id", name="uq_link_overrides_pair"),
    )
    op.create_table(
        "pull_cursors",
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("object_name", sa.String(length=32), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_id", sa.String(length=64), nullable=True),
        sa.Column("full_pull_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "object_name"),
    )
    op.create_table(
        "reps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("salesforce_user_id", sa.String(length=18), nullable=True),
        sa.Column("salesforce_active", sa.Boolean(), nullable=True),
        sa.Column("hubspot_owner_id", sa.String(length=32), nullable=True),
        sa.Column("hubspot_active", sa.Boolean(), nullable=True),
        sa.Column("capacity_weight", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
        sa.UniqueConstraint("hubspot_owner_id"),
        sa.UniqueConstraint("salesforce_user_id"),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "scope", sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"), nullable=True
        ),
        sa.Column("config_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("territory_fingerprint", sa.String(length=64), nullable=True),
        sa.Column(
            "figures",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=True,
        ),
        sa.Column("message", sa.String(), nullable=True),
        sa.Column("host", sa.String(length=255), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index("ix_runs_started_at", ["started_at"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=True),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("account_name", sa.String(), nullable=True),
        sa.Column("old_owner_id", sa.String(length=64), nullable=True),
        sa.Column("old_owner_email", sa.String(length=320), nullable=True),
        sa.Column("new_owner_id", sa.String(length=64), nullable=True),
        sa.Column("new_owner_email", sa.String(length=320), nullable=True),
        sa.Column("territory", sa.String(length=200), nullable=True),
        sa.Column("rule", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.String(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("row_hash"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_at", ["at"], unique=False)
        batch_op.create_index("ix_audit_log_record", ["source", "external_id"], unique=False)
        batch_op.create_index("ix_audit_log_run", ["run_id"], unique=False)

    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "scope", sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"), nullable=True
        ),
        sa.Column(
            "guard_rails",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "figures",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=True,
        ),
        sa.Column("territory_fingerprint", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["runs.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plans_run_id"), ["run_id"], unique=False)

    op.create_table(
        "owner_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("account_name", sa.String(), nullable=True),
        sa.Column("old_owner_id", sa.String(length=64), nullable=True),
        sa.Column("old_owner_email", sa.String(length=320), nullable=True),
        sa.Column("new_owner_id", sa.String(length=64), nullable=True),
        sa.Column("new_owner_email", sa.String(length=320), nullable=True),
        sa.Column("territory", sa.String(length=200), nullable=True),
        sa.Column("rule", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error_code", sa.String(length=64), nullable=True),
        sa.Column("last_error_message", sa.String(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applied_run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["applied_run_id"],
            ["runs.id"],
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plans.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("owner_changes", schema=None) as batch_op:
        batch_op.create_index("ix_owner_changes_plan_state", ["plan_id", "state"], unique=False)
        batch_op.create_index("ix_owner_changes_record", ["source", "external_id"], unique=False)
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_apscheduler_jobs_next_run_time", "apscheduler_jobs", ["next_run_time"])


def downgrade() -> None:
    op.drop_index("ix_apscheduler_jobs_next_run_time", table_name="apscheduler_jobs")
    op.drop_table("apscheduler_jobs")
    with op.batch_alter_table("owner_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_owner_changes_record")
        batch_op.drop_index("ix_owner_changes_plan_state")

    op.drop_table("owner_changes")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plans_run_id"))

    op.drop_table("plans")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_run")
        batch_op.drop_index("ix_audit_log_record")
        batch_op.drop_index("ix_audit_log_at")

    op.drop_table("audit_log")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index("ix_runs_started_at")

    op.drop_table("runs")
    op.drop_table("reps")
    op.drop_table("pull_cursors")
    op.drop_table("link_overrides")
    op.drop_table("company_links")
    op.drop_table("accounts")
