"""`Account`: one row per CRM record (a Salesforce Account or a HubSpot company), as pulled.

Values are stored twice where cleaning matters: the CRM's raw fields (`raw`, kept for `explain` and
the audit) and the normalised unified fields the territory rules match on.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from mapping.model.columns import JsonColumn, UtcDateTime


class CrmSource(StrEnum):
    SALESFORCE = "salesforce"
    HUBSPOT = "hubspot"


class Account(SQLModel, table=True):
    __tablename__ = "accounts"
    # Only the unique key is indexed: every extra index slows the bulk upsert of a pull, and
    # linking and the territory engine read all accounts in one pass anyway.
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_accounts_source_external_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    name: str | None = None
    website: str | None = None
    domain: str | None = Field(default=None, max_length=255)
    country: str | None = Field(default=None, max_length=2)
    region: str | None = Field(default=None, max_length=8)
    city: str | None = None
    postal_code: str | None = Field(default=None, max_length=32)
    industry_raw: str | None = None
    industry: str | None = Field(default=None, max_length=64)
    employees: int | None = None
    annual_revenue: Decimal | None = Field(default=None, sa_column=Column(Numeric(20, 2)))
    owner_id: str | None = Field(default=None, max_length=64)
    owner_since: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    """When the store first saw today's `owner_id`: a pull that found it changed, or a
    write-back; empty when the owner was already there at the first pull."""
    crm_modified_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    deleted: bool = False
    raw: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JsonColumn, nullable=False))
    first_seen_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    last_seen_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
