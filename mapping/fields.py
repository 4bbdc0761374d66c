"""Field mapping: a CRM record, in the CRM's own field names, becomes a unified account.

Each CRM has a table from its field names to the unified ones; every value passes through the
normalisers. A record that cannot be mapped at all (no id, a modified time that is not a time)
raises `MalformedRecordError` with the reason, so the sync can skip it, audit why, and go on.
Values merely unusable (an employee count of "lots") become None and the raw value stays in `raw`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mapping.normalise import (
    clean_text,
    normalise_country,
    normalise_domain,
    normalise_industry,
    normalise_postal_code,
    normalise_region,
    parse_employee_count,
    parse_revenue,
)
from mapping.unified import UnifiedAccount
from territory_sync.times import parse_time


class MalformedRecordError(ValueError):
    """A CRM record the product cannot use; the message says why."""


@dataclass(frozen=True)
class FieldMap:
    """Which CRM field holds each unified value."""

    id: str
    name: str
    website: str
    domain: str | None
    country: str
    region: str
    city: str
    postal_code: str
    industry: str
    employees: str
    annual_revenue: str
    owner_id: str
    modified_at: str
    deleted: str | None


SALESFORCE_FIELDS = FieldMap(
    id="Id",
    name="Name",
    website="Website",
    domain=None,
    country="BillingCountry",
    region="BillingState",
    city="BillingCity",
    postal_code="BillingPostalCode",
    industry="Industry",
    employees="NumberOfEmployees",
    annual_revenue="AnnualRevenue",
    owner_id="OwnerId",
    modified_at="SystemModstamp",
    deleted="IsDeleted",
)

HUBSPOT_FIELDS = FieldMap(
    id="hs_object_id",
    name="name",
    website="website",
    domain="domain",
    country="country",
    region="state",
    city="city",
    postal_code="zip",
    industry="industry",
    employees="numberofemployees",
    annual_revenue="annualrevenue",
    owner_id="hubspot_owner_id",
    modified_at="hs_lastmodifieddate",
    deleted=None,
)

FIELD_MAPS = {"salesforce": SALESFORCE_FIELDS, "hubspot": HUBSPOT_FIELDS}


def parse_crm_datetime(value: Any) -> datetime | None:
    """Salesforce `2026-01-01T00:00:00.000+0000`, ISO 8601 with `Z`, or epoch milliseconds."""
    try:
        return parse_time(value)
    except ValueError as error:
        raise MalformedRecordError(f"modified time {value!r} is not a date and time") from error


def _says_true(value: Any) -> bool:
    """A yes/no field as any CRM may send it: a boolean, or text true, 1 or yes."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "1", "yes"}


def _text(value: Any) -> str | None:
    return clean_text(value)


def to_unified(
    source: str,
    external_id: str,
    fields: dict[str, Any],
    *,
    deleted: bool = False,
) -> UnifiedAccount:
    """Map one CRM record to a unified account; raises MalformedRecordError when it cannot."""
    if source not in FIELD_MAPS:
        raise ValueError(f"unknown CRM {source!r}")
    names = FIELD_MAPS[source]
    if not external_id or not str(external_id).strip():
        raise MalformedRecordError("the record has no id")
    website = _text(fields.get(names.website))
    domain = normalise_domain(_text(fields.get(names.domain))) if names.domain else None
    domain = domain or normalise_domain(website)
    country = normalise_country(_text(fields.get(names.country)))
    industry_raw = _text(fields.get(names.industry))
    owner = _text(fields.get(names.owner_id))
    deleted_field = _says_true(fields.get(names.deleted)) if names.deleted else False
    return UnifiedAccount(
        source=source,
        external_id=str(external_id).strip(),
        name=_text(fields.get(names.name)),
        website=website,
        domain=domain,
        country=country,
        region=normalise_region(country, _text(fields.get(names.region))),
        city=_text(fields.get(names.city)),
        postal_code=normalise_postal_code(country, _text(fields.get(names.postal_code))),
        industry_raw=industry_raw,
        industry=normalise_industry(source, industry_raw),  # type: ignore[arg-type]
        employees=parse_employee_count(fields.get(names.employees)),
        annual_revenue=parse_revenue(fields.get(names.annual_revenue)),
        owner_id=owner,
        crm_modified_at=parse_crm_datetime(fields.get(names.modified_at)),
        deleted=deleted or deleted_field,
        raw={key: value for key, value in fields.items() if key != "attributes"},
    )
