"""Field mapping for the records that hang off an account: contacts and opportunities (deals).

A connector hands them over in the CRM's own field names (`connectors.base.RawAccount`, with the
account's id under the field named here as `*_ACCOUNT_FIELD`); this module makes them unified
records (`mapping.unified`). As for accounts, a record with no id or a modified time that is not
a time raises `MalformedRecordError` (skipped and audited by the sync); a value merely unusable
(an amount of "tbd") becomes None.

The field names are the CRMs' own: Salesforce Contact and Opportunity fields
(https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunity.htm),
HubSpot's default contact and deal properties
(https://knowledge.hubspot.com/properties/hubspots-default-deal-properties).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from mapping.normalise.numbers import parse_revenue
from mapping.normalise.times import MalformedRecordError, parse_crm_datetime
from mapping.unified import CONTACT, OPPORTUNITY, UnifiedContact, UnifiedOpportunity

SALESFORCE, HUBSPOT = "salesforce", "hubspot"

SALESFORCE_FIELDS = {
    CONTACT: ("Id", "AccountId", "OwnerId", "Email", "SystemModstamp", "IsDeleted"),
    OPPORTUNITY: (
        "Id",
        "AccountId",
        "OwnerId",
        "Name",
        "StageName",
        "Amount",
        "CloseDate",
        "IsClosed",
        "IsWon",
        "CreatedDate",
        "CreatedById",
        "SystemModstamp",
        "IsDeleted",
    ),
}
"""Every Salesforce field a pull selects, per object."""
SALESFORCE_OPTIONAL_FIELDS = {CONTACT: (), OPPORTUNITY: ("CurrencyIsoCode",)}
"""Selected where the org has them: `CurrencyIsoCode` exists in multi-currency orgs only."""
SALESFORCE_CURRENCY_FIELD = "CurrencyIsoCode"

HUBSPOT_FIELDS = {
    CONTACT: ("email", "hubspot_owner_id", "lastmodifieddate", "associatedcompanyid"),
    OPPORTUNITY: (
        "dealname",
        "amount",
        "deal_currency_code",
        "dealstage",
        "pipeline",
        "closedate",
        "hs_is_closed",
        "hs_is_closed_won",
        "hubspot_owner_id",
        "createdate",
        "hs_created_by_user_id",
        "hs_lastmodifieddate",
    ),
}
"""Every HubSpot property a pull asks for, per object (besides `hs_object_id`)."""
HUBSPOT_MODIFIED = {CONTACT: "lastmodifieddate", OPPORTUNITY: "hs_lastmodifieddate"}
"""Contacts keep their last-modified time in `lastmodifieddate`, deals (like companies) in
`hs_lastmodifieddate` (https://developers.hubspot.com/docs/api-reference/2026-03/crm/search-the-crm:
a contacts search returns `lastmodifieddate` by default)."""
HUBSPOT_ACCOUNT_FIELD = "associatedcompanyid"
"""The company a HubSpot contact or deal belongs to: the contact's own property (its primary
company), and for a deal the primary company of its associations, put there by the connector."""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _flag(value: Any) -> bool:
    """A JSON boolean (Salesforce REST) or `true`/`false` text (Bulk CSV, HubSpot)."""
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() == "true"


def _day_or_time(value: Any) -> datetime | None:
    """Salesforce `CloseDate` (`2026-03-31`) or a HubSpot datetime; None when unreadable."""
    text = _text(value)
    if text is None:
        return None
    if len(text) == 10:
        try:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        except ValueError:
            return None
    try:
        return parse_crm_datetime(text)
    except MalformedRecordError:
        return None


def _id(external_id: str) -> str:
    if not external_id or not str(external_id).strip():
        raise MalformedRecordError("the record has no id")
    return str(external_id).strip()


def _salesforce_contact(
    external_id: str, fields: Mapping[str, Any], deleted: bool
) -> UnifiedContact:
    return UnifiedContact(
        source=SALESFORCE,
        external_id=_id(external_id),
        account_external_id=_text(fields.get("AccountId")),
        owner_id=_text(fields.get("OwnerId")),
        email=_text(fields.get("Email")),
        crm_modified_at=parse_crm_datetime(fields.get("SystemModstamp")),
        deleted=deleted,
    )


def _hubspot_contact(external_id: str, fields: Mapping[str, Any], deleted: bool) -> UnifiedContact:
    return UnifiedContact(
        source=HUBSPOT,
        external_id=_id(external_id),
        account_external_id=_text(fields.get(HUBSPOT_ACCOUNT_FIELD)),
        owner_id=_text(fields.get("hubspot_owner_id")),
        email=_text(fields.get("email")),
        crm_modified_at=parse_crm_datetime(fields.get(HUBSPOT_MODIFIED[CONTACT])),
        deleted=deleted,
    )


def _salesforce_opportunity(
    external_id: str, fields: Mapping[str, Any], deleted: bool
) -> UnifiedOpportunity:
    return UnifiedOpportunity(
        source=SALESFORCE,
        external_id=_id(external_id),
        account_external_id=_text(fields.get("AccountId")),
        owner_id=_text(fields.get("OwnerId")),
        name=_text(fields.get("Name")),
        stage=_text(fields.get("StageName")),
        amount=parse_revenue(fields.get("Amount")),
        currency=_text(fields.get(SALESFORCE_CURRENCY_FIELD)),
        close_date=_day_or_time(fields.get("CloseDate")),
        is_closed=_flag(fields.get("IsClosed")),
        is_won=_flag(fields.get("IsWon")),
        created_at=_day_or_time(fields.get("CreatedDate")),
        created_by=_text(fields.get("CreatedById")),
        crm_modified_at=parse_crm_datetime(fields.get("SystemModstamp")),
        deleted=deleted,
    )


def _hubspot_opportunity(
    external_id: str, fields: Mapping[str, Any], deleted: bool
) -> UnifiedOpportunity:
    return UnifiedOpportunity(
        source=HUBSPOT,
        external_id=_id(external_id),
        account_external_id=_text(fields.get(HUBSPOT_ACCOUNT_FIELD)),
        owner_id=_text(fields.get("hubspot_owner_id")),
        name=_text(fields.get("dealname")),
        stage=_text(fields.get("dealstage")),
        pipeline=_text(fields.get("pipeline")),
        amount=parse_revenue(fields.get("amount")),
        currency=_text(fields.get("deal_currency_code")),
        close_date=_day_or_time(fields.get("closedate")),
        is_closed=_flag(fields.get("hs_is_closed")),
        is_won=_flag(fields.get("hs_is_closed_won")),
        created_at=_day_or_time(fields.get("createdate")),
        created_by=_text(fields.get("hs_created_by_user_id")),
        crm_modified_at=parse_crm_datetime(fields.get(HUBSPOT_MODIFIED[OPPORTUNITY])),
        deleted=deleted,
    )


RelatedRecord = UnifiedContact | UnifiedOpportunity
_MAPPERS: dict[tuple[str, str], Callable[[str, Mapping[str, Any], bool], RelatedRecord]] = {
    (SALESFORCE, CONTACT): _salesforce_contact,
    (HUBSPOT, CONTACT): _hubspot_contact,
    (SALESFORCE, OPPORTUNITY): _salesforce_opportunity,
    (HUBSPOT, OPPORTUNITY): _hubspot_opportunity,
}


def to_unified_related(
    source: str,
    object_name: str,
    external_id: str,
    fields: Mapping[str, Any],
    *,
    deleted: bool = False,
) -> RelatedRecord:
    """One CRM contact or opportunity as a unified record; raises MalformedRecordError when it
    cannot be mapped (no id, a modified time that is not a time)."""
    mapper = _MAPPERS.get((source, object_name))
    if mapper is None:
        raise ValueError(f"no {object_name!r} records in {source!r}")
    return mapper(external_id, fields, deleted)
