"""`Plan` and `OwnerChange`: the owner changes a run intends, and the state of each one.

A change moves through planned -> in_flight -> written | failed | conflict | skipped, or is held
(its CRM's writes are switched off) or superseded (its plan was retired before it was written), and
may be rolled_back later. Its state is committed before and after every write batch, so a crashed
run's successor knows exactly which changes may have landed (in_flight) and re-checks them against
the CRM before writing anything again. A write whose answer was lost and whose owner could not be
read back stays in_flight, with the reason in `last_error_*`, until a later run decides it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from mapping.model.columns import JsonColumn, UtcDateTime
from territory_sync.objects import ACCOUNT


class PlanStatus(StrEnum):
    DRAFT = "draft"
    """Saved, not applied (a dry run, a reviewed plan, or one stopped by a guard rail)."""
    APPLYING = "applying"
    APPLIED = "applied"
    PARTIAL = "partial"
    """Applied as far as it could be: some changes failed or are held."""
    SUPERSEDED = "superseded"
    """Retired before it was fully applied: a newer plan covers its scope, or it grew stale
    (`status_reason` says which). Its unwritten changes are never written."""


class ChangeState(StrEnum):
    PLANNED = "planned"
    IN_FLIGHT = "in_flight"
    WRITTEN = "written"
    FAILED = "failed"
    CONFLICT = "conflict"
    SKIPPED = "skipped"
    HELD = "held"
    """Not written because the CRM's writes are switched off (`enabled` or `write_owners`)."""
    SUPERSEDED = "superseded"
    """Not written because its plan was retired (see `Plan.status_reason`)."""
    ROLLED_BACK = "rolled_back"


UNFINISHED_STATES = (ChangeState.PLANNED, ChangeState.IN_FLIGHT)

ACCOUNT_OBJECT = ACCOUNT

CHANGE_FIELDS = (
    "source",
    "object_name",
    "external_id",
    "parent_external_id",
    "account_name",
    "old_owner_id",
    "old_owner_email",
    "new_owner_id",
    "new_owner_email",
    "territory",
    "rule",
)
"""What says which owner change a row is about: its record (and, for a contact or opportunity, the
account it follows), its owners before and after, and the territory and rule that decided it
(copied as they are into its audit rows and its reversal)."""


class Plan(SQLModel, table=True):
    __tablename__ = "plans"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="runs.id", index=True)
    kind: str = Field(default="assign", max_length=16)
    """assign (from territories) or rollback (restoring a run's previous owners)."""
    status: str = Field(max_length=16)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    scope: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonColumn))
    guard_rails: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonColumn))
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonColumn))
    territory_fingerprint: str | None = Field(default=None, max_length=64)
    status_reason: str | None = None
    """Why the plan has its status, in words (e.g. superseded by plan 12)."""


class OwnerChange(SQLModel, table=True):
    __tablename__ = "owner_changes"
    __table_args__ = (
        Index("ix_owner_changes_plan_state", "plan_id", "state"),
        Index("ix_owner_changes_record", "source", "external_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plans.id")
    source: str = Field(max_length=16)
    object_name: str = Field(
        default=ACCOUNT_OBJECT, max_length=16, sa_column_kwargs={"server_default": ACCOUNT_OBJECT}
    )
    """What the record is: an account, or a contact or opportunity that follows one."""
    external_id: str = Field(max_length=64)
    parent_external_id: str | None = Field(default=None, max_length=64)
    """For a contact or opportunity: the id of the account (same CRM) whose move it follows."""
    account_name: str | None = None
    old_owner_id: str | None = Field(default=None, max_length=64)
    old_owner_email: str | None = Field(default=None, max_length=320)
    new_owner_id: str | None = Field(default=None, max_length=64)
    new_owner_email: str | None = Field(default=None, max_length=320)
    territory: str | None = Field(default=None, max_length=200)
    rule: str | None = Field(default=None, max_length=64)
    reason: str | None = None
    idempotency_key: str = Field(max_length=64, unique=True)
    """Hash of (plan, CRM, record, old owner, new owner): the same intent is never written twice."""
    state: str = Field(max_length=16)
    attempts: int = 0
    last_error_code: str | None = Field(default=None, max_length=64)
    last_error_message: str | None = None
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    written_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    applied_run_id: int | None = Field(default=None, foreign_key="runs.id")
    lost_answer_stamp: str | None = Field(default=None, max_length=64)
    """For a write whose answer was lost: the record's modified stamp just before it was sent."""
