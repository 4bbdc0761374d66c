"""The Contact and Opportunity fields the emulator knows, read from `SeedContact` and
`SeedOpportunity` records.

Only the standard fields a connector needs to pull these records and move their owners: ids and
references, names, the opportunity's stage, amount and close date, and the system fields. The org
is single-currency, so there is no `CurrencyIsoCode` (it exists only with multi-currency enabled);
selecting it is INVALID_FIELD, as for any field the org lacks. `IsClosed` and `IsWon` follow from
`StageName` in Salesforce ("can only be set via StageName"); here they are the seed's own values.
Labels, describe types and lengths as a new org describes them:
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_objects_contact.htm
https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-contact.html
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunity.htm
https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-opportunity.html
"""

from __future__ import annotations

from operator import attrgetter

from sandbox.salesforce.fields import FieldSpec, FieldType, SObjectType, catalogue
from sandbox.seed import SeedContact
from sandbox.seed_related import (
    CONTACT_PREFIX,
    OPPORTUNITY_PREFIX,
    SALESFORCE_LOST,
    SALESFORCE_OPEN_STAGES,
    SALESFORCE_WON,
)

OPPORTUNITY_STAGES: tuple[str, ...] = (*SALESFORCE_OPEN_STAGES, SALESFORCE_WON, SALESFORCE_LOST)
"""The `StageName` picklist of a new org, open stages first."""


def contact_name(contact: SeedContact) -> str:
    """The compound `Name`: FirstName and LastName, or LastName alone without a first name."""
    first = contact.first_name
    return f"{first} {contact.last_name}" if first else contact.last_name


# fmt: off
CONTACT = SObjectType(
    "Contact",
    CONTACT_PREFIX,
    catalogue(
        [
            FieldSpec("Id", FieldType.ID, attrgetter("crm_id"), label="Contact ID", length=18,
                      nillable=False),
            FieldSpec("IsDeleted", FieldType.BOOLEAN, attrgetter("deleted"), label="Deleted",
                      nillable=False),
            FieldSpec("AccountId", FieldType.REFERENCE, attrgetter("account_id"),
                      label="Account ID", length=18, reference_to=("Account",),
                      relationship_name="Account"),
            FieldSpec("LastName", FieldType.STRING, attrgetter("last_name"), label="Last Name",
                      length=80, nillable=False),
            FieldSpec("FirstName", FieldType.STRING, attrgetter("first_name"),
                      label="First Name", length=40),
            FieldSpec("Name", FieldType.STRING, contact_name, label="Full Name", length=121,
                      nillable=False),
            FieldSpec("Email", FieldType.STRING, attrgetter("email"), label="Email",
                      describe_type="email", length=80),
            FieldSpec("OwnerId", FieldType.REFERENCE, attrgetter("owner_id"), writable=True,
                      label="Owner ID", length=18, nillable=False, reference_to=("User",),
                      relationship_name="Owner"),
            FieldSpec("CreatedDate", FieldType.DATETIME, attrgetter("created_ms"),
                      label="Created Date", nillable=False),
            FieldSpec("SystemModstamp", FieldType.DATETIME, attrgetter("modified_ms"),
                      label="System Modstamp", nillable=False),
        ]
    ),
)

OPPORTUNITY = SObjectType(
    "Opportunity",
    OPPORTUNITY_PREFIX,
    catalogue(
        [
            FieldSpec("Id", FieldType.ID, attrgetter("crm_id"), label="Opportunity ID",
                      length=18, nillable=False),
            FieldSpec("IsDeleted", FieldType.BOOLEAN, attrgetter("deleted"), label="Deleted",
                      nillable=False),
            FieldSpec("AccountId", FieldType.REFERENCE, attrgetter("account_id"),
                      label="Account ID", length=18, reference_to=("Account",),
                      relationship_name="Account"),
            FieldSpec("Name", FieldType.STRING, attrgetter("name"), label="Name", length=120,
                      nillable=False),
            FieldSpec("StageName", FieldType.STRING, attrgetter("stage"), label="Stage",
                      describe_type="picklist", length=255, nillable=False,
                      picklist=OPPORTUNITY_STAGES),
            FieldSpec("Amount", FieldType.CURRENCY, attrgetter("amount"), label="Amount",
                      scale=2),
            FieldSpec("CloseDate", FieldType.DATE, attrgetter("close_date_ms"),
                      label="Close Date", nillable=False),
            FieldSpec("IsClosed", FieldType.BOOLEAN, attrgetter("closed"), label="Closed",
                      nillable=False),
            FieldSpec("IsWon", FieldType.BOOLEAN, attrgetter("won"), label="Won",
                      nillable=False),
            FieldSpec("OwnerId", FieldType.REFERENCE, attrgetter("owner_id"), writable=True,
                      label="Owner ID", length=18, nillable=False, reference_to=("User",),
                      relationship_name="Owner"),
            FieldSpec("CreatedDate", FieldType.DATETIME, attrgetter("created_ms"),
                      label="Created Date", nillable=False),
            FieldSpec("CreatedById", FieldType.REFERENCE, attrgetter("created_by"),
                      label="Created By ID", length=18, nillable=False,
                      reference_to=("User",), relationship_name="CreatedBy"),
            FieldSpec("SystemModstamp", FieldType.DATETIME, attrgetter("modified_ms"),
                      label="System Modstamp", nillable=False),
        ]
    ),
    label_plural="Opportunities",
)
# fmt: on
