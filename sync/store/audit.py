"""`AuditEntry`: the append-only audit log, one row per decision, hash-chained.

Each row stores the hash of the previous row and its own hash over its content and that link, so
an edited or deleted row breaks the chain and `territory-sync audit verify` finds it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from mapping.model.columns import UtcDateTime


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_record", "source", "external_id"),
        Index("ix_audit_log_run", "run_id"),
        Index("ix_audit_log_at", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    run_id: int | None = Field(default=None, foreign_key="runs.id")
    trigger: str = Field(max_length=16)
    actor: str = Field(max_length=200)
    source: str | None = Field(default=None, max_length=16)
    external_id: str | None = Field(default=None, max_length=64)
    account_name: str | None = None
    old_owner_id: str | None = Field(default=None, max_length=64)
    old_owner_email: str | None = Field(default=None, max_length=320)
    new_owner_id: str | None = Field(default=None, max_length=64)
    new_owner_email: str | None = Field(default=None, max_length=320)
    territory: str | None = Field(default=None, max_length=200)
    rule: str | None = Field(default=None, max_length=64)
    reason: str | None = None
    status: str = Field(max_length=16)
    error_code: str | None = Field(default=None, max_length=64)
    error_message: str | None = None
    attempts: int = 0
    change_id: int | None = None
    prev_hash: str = Field(max_length=64)
    row_hash: str = Field(max_length=64, unique=True)
