"""Unified records: what a connector's CRM record becomes after field mapping and normalisation.

These plain dataclasses travel from `mapping.fields` to the store (`sync.store.accounts`) and to
the territory engine; they carry no database session and no HTTP client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from territory_sync.objects import CONTACT, OPPORTUNITY, RELATED_OBJECTS

__all__ = [
    "CONTACT",
    "OPPORTUNITY",
    "RELATED_OBJECTS",
    "UNIFIED_MODEL_VERSION",
    "UnifiedAccount",
    "UnifiedContact",
    "UnifiedOpportunity",
    "UnifiedRep",
]

UNIFIED_MODEL_VERSION = "2"
"""What the stored unified accounts are made of. Raise it when a normaliser changes what an account
becomes (version 2: domains are registrable domains under the Public Suffix List): the next pull of
each CRM is then a full one, so every stored account is normalised the same way again."""


@dataclass(slots=True)
class UnifiedAccount:
    source: str
    external_id: str
    name: str | None = None
    website: str | None = None
    domain: str | None = None
    country: str | None = None
    region: str | None = None
    city: str | None = None
    postal_code: str | None = None
    industry_raw: str | None = None
    industry: str | None = None
    employees: int | None = None
    annual_revenue: Decimal | None = None
    owner_id: str | None = None
    crm_modified_at: datetime | None = None
    deleted: bool = False
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class UnifiedRep:
    """One CRM's view of a rep: a Salesforce user or a HubSpot owner."""

    source: str
    crm_id: str
    email: str
    name: str | None
    active: bool


@dataclass(slots=True)
class UnifiedContact:
    """A person at an account (a Salesforce Contact or a HubSpot contact)."""

    source: str
    external_id: str
    account_external_id: str | None
    """The Account (`AccountId`) or the primary associated company; None for none."""
    owner_id: str | None = None
    email: str | None = None
    crm_modified_at: datetime | None = None
    deleted: bool = False


@dataclass(slots=True)
class UnifiedOpportunity:
    """A Salesforce Opportunity or a HubSpot deal."""

    source: str
    external_id: str
    account_external_id: str | None
    owner_id: str | None = None
    name: str | None = None
    stage: str | None = None
    """Salesforce `StageName`, HubSpot `dealstage` (a stage id of its pipeline)."""
    pipeline: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    close_date: datetime | None = None
    is_closed: bool = False
    is_won: bool = False
    created_at: datetime | None = None
    created_by: str | None = None
    """Salesforce `CreatedById` (a User id); HubSpot `hs_created_by_user_id` (a user id)."""
    crm_modified_at: datetime | None = None
    deleted: bool = False
