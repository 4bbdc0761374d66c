"""The contacts object: its properties as HubSpot names them, over `SeedContact` records.

Contacts keep their last-modified time in `lastmodifieddate`, not `hs_lastmodifieddate` as
companies and deals do: a contacts search returns "createdate, email, firstname, hs_object_id,
lastmodifieddate, lastname" by default
(https://developers.hubspot.com/docs/api-reference/2026-03/crm/search-the-crm), and Airbyte's
HubSpot source filters contacts on it
(https://github.com/airbytehq/airbyte/blob/master/airbyte-integrations/connectors/source-hubspot/source_hubspot/streams.py).
Whether `hs_lastmodifieddate` is searchable on contacts is not documented, so the sandbox does not
know it on contacts: a filter on it gets the generic 400, and a connector must use
`lastmodifieddate`.
"""

from __future__ import annotations

from sandbox.hubspot.objects import ObjectSchema
from sandbox.hubspot.properties import (
    Kind,
    Property,
    created_property,
    modified_property,
    owner_property,
    record_id_property,
    text_property,
)
from sandbox.seed import SeedContact

MODIFIED = "lastmodifieddate"


def _company_id(contact: SeedContact) -> str | None:
    return contact.account_id or None


def _company_number(contact: SeedContact) -> int | None:
    return int(contact.account_id) if contact.account_id else None


# Names, labels and types of HubSpot's default contact properties
# (https://knowledge.hubspot.com/properties/hubspots-default-contact-properties).
# `associatedcompanyid` is the primary company's id; HubSpot also takes writes to it, the sandbox
# keeps it read-only (associations are not written through the sandbox).
_CATALOGUE: tuple[Property[SeedContact], ...] = (
    record_id_property(),
    text_property("email", "email", "Email"),
    text_property("firstname", "first_name", "First Name"),
    text_property("lastname", "last_name", "Last Name"),
    owner_property("Contact owner"),
    Property(
        "associatedcompanyid",
        Kind.NUMBER,
        _company_id,
        _company_number,
        None,
        label="Primary Associated Company ID",
        field_type="number",
    ),
    created_property(),
    modified_property(MODIFIED),
)

CONTACTS: ObjectSchema[SeedContact] = ObjectSchema(
    name="contacts",
    singular="contact",
    type_id="0-1",
    catalogue=_CATALOGUE,
    default_properties=(
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    ),
    always_returned=("createdate", "hs_object_id", MODIFIED),
    modified=MODIFIED,
    # Among the contacts' default searchable properties in the search guide (firstname,
    # lastname, email, phone, ...: https://developers.hubspot.com/docs/api-reference/latest/crm/search-the-crm),
    # those the sandbox stores.
    query_properties=("firstname", "lastname", "email"),
    group_name="contactinformation",
    first_id=20_000_000_000,
)
"""Contacts (object type 0-1); ids from 20,000,000,000 (`sandbox.seed_related`)."""
