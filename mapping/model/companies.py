"""Cross-CRM companies: which Salesforce account and HubSpot company are the same business.

`CompanyLink` holds the current links (recomputed on every run from normalised domains and admin
pins); `LinkOverride` holds what an admin decided: pin two records together, or break a link the
domains would make.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from mapping.model.columns import UtcDateTime


class LinkOrigin(StrEnum):
    DOMAIN = "domain"
    PINNED = "pinned"


class CompanyLink(SQLModel, table=True):
    __tablename__ = "company_links"

    id: int | None = Field(default=None, primary_key=True)
    salesforce_id: str = Field(max_length=64, unique=True)
    hubspot_id: str = Field(max_length=64, unique=True)
    domain: str | None = Field(default=None, max_length=255)
    origin: str = Field(max_length=16)
    linked_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class OverrideAction(StrEnum):
    PIN = "pin"
    BREAK = "break"


class LinkOverride(SQLModel, table=True):
    __tablename__ = "link_overrides"
    __table_args__ = (
        UniqueConstraint("salesforce_id", "hubspot_id", name="uq_link_overrides_pair"),
    )

    id: int | None = Field(default=None, primary_key=True)
    salesforce_id: str = Field(max_length=64)
    hubspot_id: str = Field(max_length=64)
    action: str = Field(max_length=8)
    actor: str = Field(max_length=200)
    reason: str | None = None
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
