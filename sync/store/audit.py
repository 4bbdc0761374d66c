"""`AuditEntry`: the append-only audit log, one row per decision, in a keyed hash chain; and
`AuditChainHead`: the chain's one-row head, updated in the same transaction as every append.

Each row stores its place in the chain (`seq`, 1, 2, 3... with no gaps), the hash of the previous
row and its own hash: an HMAC-SHA256, by the key named in `key_id`, over its content, its time,
its place and that link. Rows written before keyed hashing (`key_id` null) carry a plain SHA-256
and form a legacy segment. Editing, deleting or reordering rows breaks the chain and
`territory-sync audit verify` finds it. The head row (count, last id, last hash, key id and a
signature over them) is what appenders lock, so two writers never chain onto the same row, and
what verify compares the log's end with.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Index
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
    object_name: str | None = Field(default=None, max_length=16)
    """For a contact or opportunity: its kind (null for accounts and rows about no record)."""
    parent_external_id: str | None = Field(default=None, max_length=64)
    """For a contact or opportunity: the account whose move it followed."""
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
    seq: int = Field(unique=True)
    """The row's place in the chain: the number of rows appended before it, plus one."""
    key_id: str | None = Field(default=None, max_length=16)
    """Which key signed the row (its fingerprint, never the key); null: a legacy SHA-256 row."""
    prev_hash: str = Field(max_length=64)
    row_hash: str = Field(max_length=64, unique=True)


class AuditChainHead(SQLModel, table=True):
    __tablename__ = "audit_chain_head"
    __table_args__ = (CheckConstraint("id = 1", name="ck_audit_chain_head_one_row"),)

    id: int = Field(default=1, primary_key=True)
    row_count: int = 0
    last_id: int | None = None
    last_hash: str = Field(max_length=64)
    key_id: str | None = Field(default=None, max_length=16)
    signature: str | None = Field(default=None, max_length=64)
    """HMAC by `key_id`'s key over count, last id, last hash and key id; null for the legacy
    head the upgrade wrote."""
