"""The companies object: its properties as HubSpot names them, over `SeedAccount` records."""

from __future__ import annotations

from sandbox.hubspot.objects import ObjectSchema
from sandbox.hubspot.properties import (
    Kind,
    Property,
    created_property,
    int_property,
    modified_property,
    owner_property,
    record_id_property,
    text_property,
)
from sandbox.seed import SeedAccount
from sandbox.seed_vocabulary import SECTORS


def _option_label(value: str) -> str:
    """`COMPUTER_SOFTWARE` -> `Computer Software`."""
    return value.replace("_", " ").title()


INDUSTRY_OPTIONS: tuple[tuple[str, str], ...] = tuple(
    (_option_label(value), value)
    for value in dict.fromkeys(value for sector in SECTORS for value, _ in sector.hubspot)
)
LIFECYCLE_STAGE_OPTIONS: tuple[tuple[str, str], ...] = (
    ("Subscriber", "subscriber"),
    ("Lead", "lead"),
    ("Marketing Qualified Lead", "marketingqualifiedlead"),
    ("Sales Qualified Lead", "salesqualifiedlead"),
    ("Opportunity", "opportunity"),
    ("Customer", "customer"),
    ("Evangelist", "evangelist"),
    ("Other", "other"),
)


def _set_do_not_reassign(account: SeedAccount, raw: str) -> None:
    account.do_not_reassign = raw.lower() == "true"


def _do_not_reassign(account: SeedAccount) -> str:
    return "true" if account.do_not_reassign else "false"


# The territory properties under HubSpot's own names, labels and field types
# (https://knowledge.hubspot.com/properties/hubspot-crm-default-company-properties), plus
# lifecyclestage and the portal's custom do_not_reassign checkbox.
_CATALOGUE: tuple[Property[SeedAccount], ...] = (
    record_id_property(),
    text_property("name", "name", "Company name"),
    text_property("domain", "domain", "Company Domain Name"),
    text_property("website", "website", "Website URL"),
    text_property("country", "country", "Country/Region"),
    text_property("state", "region", "State/Region"),
    text_property("city", "city", "City"),
    text_property("zip", "postal_code", "Postal Code"),
    text_property(
        "industry", "industry", "Industry", field_type="select", options=INDUSTRY_OPTIONS
    ),
    int_property("numberofemployees", "employees", "Number of Employees", whole_number=True),
    int_property("annualrevenue", "annual_revenue", "Annual Revenue"),
    owner_property("Company owner"),
    text_property(
        "lifecyclestage",
        "account_type",
        "Lifecycle Stage",
        field_type="radio",
        options=LIFECYCLE_STAGE_OPTIONS,
    ),
    Property(
        "do_not_reassign",
        Kind.BOOL,
        _do_not_reassign,
        _do_not_reassign,
        _set_do_not_reassign,
        label="Do not reassign",
        field_type="booleancheckbox",
        options=(("Yes", "true"), ("No", "false")),
        hubspot_defined=False,
    ),
    created_property(),
    modified_property("hs_lastmodifieddate"),
)

COMPANIES: ObjectSchema[SeedAccount] = ObjectSchema(
    name="companies",
    singular="company",
    type_id="0-2",
    catalogue=_CATALOGUE,
    # The search guide tabulates default returned properties per object
    # (https://developers.hubspot.com/docs-beta/crm/search); the copy available to us lists only
    # the contacts' set, so the companies' set here (name, domain and the three always-returned
    # ones) is taken from HubSpot company payloads and is unconfirmed.
    default_properties=("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
    # Always in `properties`, whatever was asked for (v3 object reads and search answer them even
    # when `properties` names others; the default set above contains them).
    always_returned=("createdate", "hs_lastmodifieddate", "hs_object_id"),
    modified="hs_lastmodifieddate",
    # HubSpot searches an object's "default searchable properties"; for companies the sandbox
    # uses name, domain and website (unconfirmed; the territory sync filters rather than using
    # `query`).
    query_properties=("name", "domain", "website"),
    group_name="companyinformation",
    first_id=10_000_000_000,
)
"""Companies (object type 0-2); ids from 10,000,000,000 (`sandbox.ids.hubspot_id`)."""
