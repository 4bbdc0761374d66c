"""The company properties the portal knows, and how a `SeedAccount` renders into HubSpot's JSON.

Records are stored as compact `SeedAccount` objects (a million of them must fit in memory), so
every property is a pair of functions over the record: one giving the string HubSpot would send,
one giving the typed value that search filters and sorts compare. Writes go through the same
catalogue so that an unknown or read-only name is refused the way HubSpot refuses it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from sandbox.hubspot.errors import PropertyProblem
from sandbox.seed import SeedAccount
from sandbox.seed_vocabulary import SECTORS

Typed = int | float | str
JsonObject = dict[str, object]


class Kind(Enum):
    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    ENUMERATION = "enumeration"
    BOOL = "bool"


def iso_ms(ms: int) -> str:
    """ISO 8601 with milliseconds and `Z`, as HubSpot writes `createdate`/`hs_lastmodifieddate`
    and `createdAt`/`updatedAt` (e.g. `2019-12-07T16:50:06.678Z`:
    https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/companies/create-company)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


def _text(value: str | None) -> str | None:
    return value if value else None


def _number(value: int | None) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class CompanyProperty:
    name: str
    kind: Kind
    """Also the property's `type` in the properties API."""
    render: Callable[[SeedAccount], str | None]
    typed: Callable[[SeedAccount], Typed | None]
    write: Callable[[SeedAccount, str], None] | None = None
    """None for read-only properties (HubSpot computes them)."""
    label: str = ""
    field_type: str = "text"
    """How HubSpot shows the property (`text`, `number`, `select`, `radio`, `booleancheckbox`,
    `date`), the properties API's `fieldType`."""
    options: tuple[tuple[str, str], ...] = ()
    """(label, value) of each option of an enumeration or checkbox."""
    hubspot_defined: bool = True
    """False for a property the portal created (a custom property)."""
    referenced_object_type: str | None = None
    """`OWNER` for a property whose options are the portal's owners."""


def _set_text(attribute: str) -> Callable[[SeedAccount, str], None]:
    def write(account: SeedAccount, raw: str) -> None:
        setattr(account, attribute, raw or None)

    return write


def _set_int(attribute: str) -> Callable[[SeedAccount, str], None]:
    def write(account: SeedAccount, raw: str) -> None:
        setattr(account, attribute, None if raw == "" else int(float(raw)))

    return write


def _set_bool(account: SeedAccount, raw: str) -> None:
    account.do_not_reassign = raw.lower() == "true"


def _set_owner(account: SeedAccount, raw: str) -> None:
    account.owner_id = raw or None


def _text_property(
    name: str,
    attribute: str,
    label: str,
    *,
    field_type: str = "text",
    options: tuple[tuple[str, str], ...] = (),
) -> CompanyProperty:
    def render(account: SeedAccount) -> str | None:
        return _text(getattr(account, attribute))

    kind = Kind.ENUMERATION if options else Kind.STRING
    return CompanyProperty(
        name,
        kind,
        render,
        render,
        _set_text(attribute),
        label=label,
        field_type=field_type,
        options=options,
    )


def _int_property(name: str, attribute: str, label: str) -> CompanyProperty:
    def render(account: SeedAccount) -> str | None:
        return _number(getattr(account, attribute))

    def typed(account: SeedAccount) -> int | None:
        value: int | None = getattr(account, attribute)
        return value

    return CompanyProperty(
        name, Kind.NUMBER, render, typed, _set_int(attribute), label=label, field_type="number"
    )


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

# The territory properties under HubSpot's own names, labels and field types
# (https://knowledge.hubspot.com/properties/hubspot-crm-default-company-properties), plus
# lifecyclestage and the portal's custom do_not_reassign checkbox.
_CATALOGUE: tuple[CompanyProperty, ...] = (
    CompanyProperty(
        "hs_object_id",
        Kind.NUMBER,
        lambda a: a.crm_id,
        lambda a: int(a.crm_id),
        None,
        label="Record ID",
        field_type="number",
    ),
    _text_property("name", "name", "Company name"),
    _text_property("domain", "domain", "Company Domain Name"),
    _text_property("website", "website", "Website URL"),
    _text_property("country", "country", "Country/Region"),
    _text_property("state", "region", "State/Region"),
    _text_property("city", "city", "City"),
    _text_property("zip", "postal_code", "Postal Code"),
    _text_property(
        "industry", "industry", "Industry", field_type="select", options=INDUSTRY_OPTIONS
    ),
    _int_property("numberofemployees", "employees", "Number of Employees"),
    _int_property("annualrevenue", "annual_revenue", "Annual Revenue"),
    CompanyProperty(
        "hubspot_owner_id",
        Kind.ENUMERATION,
        lambda a: a.owner_id,
        lambda a: a.owner_id,
        _set_owner,
        label="Company owner",
        field_type="select",
        referenced_object_type="OWNER",
    ),
    _text_property(
        "lifecyclestage",
        "account_type",
        "Lifecycle Stage",
        field_type="radio",
        options=LIFECYCLE_STAGE_OPTIONS,
    ),
    CompanyProperty(
        "do_not_reassign",
        Kind.BOOL,
        lambda a: "true" if a.do_not_reassign else "false",
        lambda a: "true" if a.do_not_reassign else "false",
        _set_bool,
        label="Do not reassign",
        field_type="booleancheckbox",
        options=(("Yes", "true"), ("No", "false")),
        hubspot_defined=False,
    ),
    CompanyProperty(
        "createdate",
        Kind.DATETIME,
        lambda a: iso_ms(a.created_ms),
        lambda a: a.created_ms,
        label="Create Date",
        field_type="date",
    ),
    CompanyProperty(
        "hs_lastmodifieddate",
        Kind.DATETIME,
        lambda a: iso_ms(a.modified_ms),
        lambda a: a.modified_ms,
        label="Last Modified Date",
        field_type="date",
    ),
)

PROPERTIES: dict[str, CompanyProperty] = {p.name: p for p in _CATALOGUE}

# Always in `properties`, whatever was asked for (v3 object reads and search answer them even when
# `properties` names others; the default set below contains them).
ALWAYS_RETURNED: tuple[str, ...] = ("createdate", "hs_lastmodifieddate", "hs_object_id")
# Returned when no `properties` are requested. The search guide tabulates default returned
# properties per object (https://developers.hubspot.com/docs-beta/crm/search); the copy available
# to us lists only the contacts' set, so the companies' set here (name, domain and the three
# always-returned ones) is taken from HubSpot company payloads and is unconfirmed.
DEFAULT_PROPERTIES: tuple[str, ...] = (
    "createdate",
    "domain",
    "hs_lastmodifieddate",
    "hs_object_id",
    "name",
)


def property_definition(prop: CompanyProperty, display_order: int) -> JsonObject:
    """One entry of the properties API's `results`: a Property with `name`, `label`, `type`,
    `fieldType`, `groupName`, `description`, `options`, `modificationMetadata` and the flags
    hubspot-api-client 12 reads (its `Property` model requires description, label, type,
    groupName, name, options and fieldType; an option requires label, value and hidden). Shape:
    https://developers.hubspot.com/docs/api-reference/crm-properties-v3/guide and the response
    example of https://developers.hubspot.com/docs/api-reference/legacy/crm/properties/get-properties.
    """
    definition: JsonObject = {
        "name": prop.name,
        "label": prop.label or prop.name,
        "type": prop.kind.value,
        "fieldType": prop.field_type,
        "groupName": "companyinformation",
        "description": "",
        "options": [
            {"label": label, "value": value, "displayOrder": order, "hidden": False}
            for order, (label, value) in enumerate(prop.options)
        ],
        "displayOrder": display_order,
        "calculated": False,
        "externalOptions": prop.referenced_object_type is not None,
        "hasUniqueValue": False,
        "hidden": False,
        "formField": prop.write is not None,
        "archived": False,
        "modificationMetadata": {
            "archivable": not prop.hubspot_defined,
            "readOnlyDefinition": prop.hubspot_defined,
            "readOnlyValue": prop.write is None,
        },
    }
    if prop.hubspot_defined:
        definition["hubspotDefined"] = True
    if prop.referenced_object_type is not None:
        definition["referencedObjectType"] = prop.referenced_object_type
    return definition


def property_definitions() -> list[JsonObject]:
    """Every company property the portal knows, as the properties API lists them."""
    return [property_definition(prop, order) for order, prop in enumerate(_CATALOGUE)]


def requested_properties(names: Iterable[str] | None) -> tuple[str, ...]:
    """The names to render: the defaults when none are asked for; otherwise the known ones asked
    for plus the always-returned ones. Unknown names are dropped silently: "If any of the
    specified properties are not present on the requested object(s), they will be ignored"
    (https://developers.hubspot.com/docs/api-reference/latest/crm/objects/companies/get-companies,
    `properties` query parameter)."""
    if names is None:
        return DEFAULT_PROPERTIES
    asked = [n for n in names if n]
    if not asked:
        return DEFAULT_PROPERTIES
    chosen = dict.fromkeys(n for n in (*asked, *ALWAYS_RETURNED) if n in PROPERTIES)
    return tuple(chosen)


def split_property_names(values: Iterable[str]) -> list[str]:
    """`properties` may be repeated, comma-separated, or both."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@dataclass(frozen=True)
class SearchOverride:
    """Values the search index still holds for a record whose latest write is not indexed yet."""

    modified_ms: int
    owner_id: str | None


def render_company(
    account: SeedAccount,
    names: Sequence[str],
    override: SearchOverride | None = None,
) -> JsonObject:
    """A SimplePublicObject: id, properties (strings or null), createdAt, updatedAt, archived and
    archivedAt when archived (https://developers.hubspot.com/docs/api-reference/latest/crm/objects/companies/get-companies
    response example)."""
    properties: dict[str, str | None] = {name: PROPERTIES[name].render(account) for name in names}
    modified_ms = account.modified_ms
    if override is not None:
        modified_ms = override.modified_ms
        if "hs_lastmodifieddate" in properties:
            properties["hs_lastmodifieddate"] = iso_ms(modified_ms)
        if "hubspot_owner_id" in properties:
            properties["hubspot_owner_id"] = override.owner_id
    # A record archived since the index last saw it is still a live record to search.
    archived = account.deleted and override is None
    rendered: JsonObject = {
        "id": account.crm_id,
        "properties": properties,
        "createdAt": iso_ms(account.created_ms),
        "updatedAt": iso_ms(modified_ms),
        "archived": archived,
    }
    if archived:
        # The sandbox keeps no separate archive time: archiving bumps the modified time.
        rendered["archivedAt"] = iso_ms(account.modified_ms)
    return rendered


_INTEGER = re.compile(r"^-?\d+(\.0+)?$")
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")


def check_writes(
    properties: dict[str, object], active_owner_ids: frozenset[str]
) -> tuple[dict[str, str], list[PropertyProblem], list[PropertyProblem]]:
    """Split an input's properties into clean string values, whole-request problems (unknown or
    read-only names, malformed numbers: HubSpot refuses the batch with 400) and per-input owner
    problems (an unknown or archived owner fails only that input)."""
    clean: dict[str, str] = {}
    request_problems: list[PropertyProblem] = []
    owner_problems: list[PropertyProblem] = []
    for name, value in properties.items():
        prop = PROPERTIES.get(name)
        raw = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
        if prop is None:
            request_problems.append(
                PropertyProblem(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist')
            )
        elif prop.write is None:
            request_problems.append(
                PropertyProblem(name, "READ_ONLY_VALUE", f'Property "{name}" is read-only')
            )
        elif prop.kind is Kind.NUMBER and raw and not _number_ok(name, raw):
            request_problems.append(
                PropertyProblem(name, "INVALID_INTEGER", f"{raw} is not a valid integer")
            )
        elif prop.kind is Kind.BOOL and raw.lower() not in ("", "true", "false"):
            request_problems.append(
                PropertyProblem(name, "INVALID_BOOLEAN", f"{raw} is not a valid boolean")
            )
        elif name == "hubspot_owner_id" and raw and raw not in active_owner_ids:
            owner_problems.append(
                PropertyProblem(name, "INVALID_OWNER_ID", f"{raw} is not a valid owner id")
            )
        else:
            clean[name] = raw
    return clean, request_problems, owner_problems


def _number_ok(name: str, raw: str) -> bool:
    pattern = _INTEGER if name == "numberofemployees" else _DECIMAL
    return bool(pattern.match(raw))
