"""Unified records: what a connector's CRM record becomes after field mapping and normalisation.

These plain dataclasses travel from `mapping.fields` to the store (`sync.store.accounts`) and to
the territory engine; they carry no database session and no HTTP client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

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
