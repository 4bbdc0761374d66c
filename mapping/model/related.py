"""`Contact` and `Opportunity`: the records that hang off an account, one row per CRM record.

Each names its account by the CRM's own id (`account_external_id`, in the same CRM), as pulled;
the planner reads them by account when an account changes hands (`sync.related_changes`).
Opportunities are Salesforce Opportunities and HubSpot deals.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from mapping.model.columns import UtcDateTime


class Contact(SQLModel, table=True):
    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_contacts_source_external_id"),
        Index("ix_contacts_account", "source", "account_external_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    account_external_id: str | None = Field(default=None, max_length=64)
    owner_id: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=320)
    crm_modified_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    deleted: bool = False
    first_seen_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    last_seen_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class Opportunity(SQLModel, table=True):
    __tablename__ = "opportunities"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_opportunities_source_external_id"),
        Index("ix_opportunities_account", "source", "account_external_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    account_external_id: str | None = Field(default=None, max_length=64)
    owner_id: str | None = Field(default=None, max_length=64)
    name: str | None = None
    stage: str | None = Field(default=None, max_length=255)
    pipeline: str | None = Field(default=None, max_length=255)
    amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(20, 2)))
    currency: str | None = Field(default=None, max_length=3)
    close_date: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    is_closed: bool = False
    is_won: bool = False
    created_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    created_by: str | None = Field(default=None, max_length=64)
    crm_modified_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    deleted: bool = False
    first_seen_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    last_seen_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
