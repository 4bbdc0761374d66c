"""HubSpot company objects as they cross the connector boundary, and HubSpot's two time formats.

Companies come back as `{id, properties, createdAt, updatedAt, archived, archivedAt?}` with every
property a string and times in ISO 8601 (`"updatedAt": "2019-12-07T16:50:06.678Z"`:
https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/companies/create-company),
while search filters take milliseconds since the epoch as a string ("HubSpot API endpoints accept
UNIX formatted timestamps in milliseconds":
https://developers.hubspot.com/docs/faq/how-should-timestamps-be-formatted-for-hubspots-apis).
Records keep HubSpot's own property names: the field mapping turns them into unified accounts
later.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connectors.base import RawAccount
from connectors.hubspot.settings import MODIFIED_PROPERTY, OWNER_PROPERTY, SOURCE
from territory_sync.times import EPOCH, ONE_MILLISECOND, parse_time


def epoch_ms(moment: datetime) -> int:
    """Whole milliseconds since the epoch (rounded down), as search filters compare them."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // ONE_MILLISECOND


def properties_of(company: dict[str, Any]) -> dict[str, Any]:
    properties = company.get("properties")
    return properties if isinstance(properties, dict) else {}


def modified_at(company: dict[str, Any]) -> datetime | None:
    """`hs_lastmodifieddate`, or `updatedAt` when the property was not returned."""
    return parse_time(properties_of(company).get(MODIFIED_PROPERTY) or company.get("updatedAt"))


def archived_at(company: dict[str, Any]) -> datetime | None:
    """When an archived company was archived (`archivedAt`, else its last update)."""
    return parse_time(company.get("archivedAt") or company.get("updatedAt"))


def owner_of(company: dict[str, Any]) -> str | None:
    owner = properties_of(company).get(OWNER_PROPERTY)
    return str(owner) if owner not in (None, "") else None


def raw_account(company: dict[str, Any], *, deleted: bool = False) -> RawAccount:
    return RawAccount(
        source=SOURCE,
        external_id=str(company["id"]),
        modified_at=archived_at(company) if deleted else modified_at(company),
        deleted=deleted,
        fields=dict(properties_of(company)),
    )
