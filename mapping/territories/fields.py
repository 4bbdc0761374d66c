"""The field names a territory file may test, and how a business's value for each is read.

Two kinds of name: the unified fields every account has after mapping (`country`, `employees`,
...), and raw CRM fields in the CRM's own spelling (`Type`, `Do_Not_Reassign__c`,
`lifecyclestage`). Raw names must be known (pulled) so that a typo is an error at load time
rather than a rule that silently never matches; the integrator passes the pulled field names, the
default below covers the fields the connectors pull plus the sandbox's custom fields.

A reader takes the business's two records in decision order (primary first, see `facts`) and
returns the first value that is not None.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

from mapping.territories.facts import RecordFacts

FieldReader = Callable[[RecordFacts, RecordFacts | None], object]

UNIFIED_FIELDS: tuple[str, ...] = (
    "name",
    "domain",
    "country",
    "region",
    "city",
    "postal_code",
    "industry",
    "industry_raw",
    "employees",
    "annual_revenue",
)
NUMERIC_FIELDS = frozenset({"employees", "annual_revenue"})
GEOGRAPHIC_FIELDS = frozenset({"country", "region"})
"""The fields the territory index is keyed on: criteria reading only these are decided once per
(country, region) pair instead of once per account."""

# Salesforce Account fields the connector pulls (connectors/salesforce_settings.py), plus the
# standard `Type` picklist and the sandbox org's custom checkbox.
SALESFORCE_RAW_FIELDS: tuple[str, ...] = (
    "Id",
    "Name",
    "Website",
    "BillingCountry",
    "BillingState",
    "BillingCity",
    "BillingPostalCode",
    "Industry",
    "NumberOfEmployees",
    "AnnualRevenue",
    "OwnerId",
    "SystemModstamp",
    "IsDeleted",
    "Type",
    "Do_Not_Reassign__c",
)
# HubSpot company properties the connector pulls (connectors/hubspot_settings.py), plus the default
# `lifecyclestage` property and the sandbox portal's custom checkbox.
HUBSPOT_RAW_FIELDS: tuple[str, ...] = (
    "hs_object_id",
    "name",
    "domain",
    "website",
    "country",
    "state",
    "city",
    "zip",
    "industry",
    "numberofemployees",
    "annualrevenue",
    "hubspot_owner_id",
    "hs_lastmodifieddate",
    "lifecyclestage",
    "do_not_reassign",
)
DEFAULT_KNOWN_RAW_FIELDS: frozenset[str] = frozenset(SALESFORCE_RAW_FIELDS + HUBSPOT_RAW_FIELDS)


def unified_reader(name: str) -> FieldReader:
    """Read a unified field: the primary record's value, else the other record's."""
    get = attrgetter(name)

    def read(first: RecordFacts, second: RecordFacts | None) -> object:
        value = get(first)
        if value is None and second is not None:
            value = get(second)
        return value

    return read


def raw_reader(name: str) -> FieldReader:
    """Read a raw CRM field: from the primary record when it has a value, else the other one."""

    def read(first: RecordFacts, second: RecordFacts | None) -> object:
        value = first.raw.get(name)
        if value is None and second is not None:
            value = second.raw.get(name)
        return value

    return read


def reader_for(name: str) -> FieldReader:
    """Unified names win: `name` or `domain` mean the unified field, never a raw one."""
    return unified_reader(name) if name in UNIFIED_FIELDS else raw_reader(name)
