"""`Run`: one execution of a sync, plan, apply or rollback, with its trigger, actor and figures."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from mapping.model.columns import JsonColumn, UtcDateTime


class RunTrigger(StrEnum):
    SCHEDULE = "schedule"
    ADMIN = "admin"
    CLI = "cli"


class RunStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    """Finished, but some changes failed."""
    FAILED = "failed"
    STOPPED = "stopped"
    """Stopped by a guard rail, the API budget or a shutdown; nothing left half-written."""
    INTERRUPTED = "interrupted"
    """The process died; the next run resumes its unfinished changes."""


class Run(SQLModel, table=True):
    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_started_at", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    """sync, plan, apply, rollback or pull."""
    trigger: str = Field(max_length=16)
    actor: str = Field(max_length=200)
    status: str = Field(max_length=16)
    dry_run: bool = False
    started_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    scope: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonColumn))
    config_fingerprint: str | None = Field(default=None, max_length=64)
    territory_fingerprint: str | None = Field(default=None, max_length=64)
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonColumn))
    """pulled, evaluated, planned, written, failed, conflicts, skipped, api_calls per CRM..."""
    message: str | None = None
    host: str | None = Field(default=None, max_length=255)
    pid: int | None = None
