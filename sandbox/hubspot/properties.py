"""Properties as pairs of functions over a compact seed record, for any object type.

Records are stored as compact seed objects (a million of them must fit in memory), so every
property is a pair of functions over the record: one giving the string HubSpot would send, one
giving the typed value that search filters and sorts compare. Writes go through the same
catalogue so that an unknown or read-only name is refused the way HubSpot refuses it. The
catalogues themselves live beside their object (`companies`, `contacts`, `deals`).
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Generic

from sandbox.hubspot.errors import PropertyProblem
from sandbox.hubspot.records import R

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


def iso_seconds(ms: int) -> str:
    """ISO 8601 without milliseconds when there are none (`2026-03-31T00:00:00Z`), as a date-like
    datetime such as a deal's `closedate` reads; with them otherwise."""
    if ms % 1000:
        return iso_ms(ms)
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms // 1000))


_ISO = re.compile(r"^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,3})\d*)?)?Z?)?$")


def parse_datetime_ms(raw: str) -> int | None:
    """A datetime value as HubSpot accepts it in a write: milliseconds since the epoch, or an ISO
    8601 date or UTC datetime ("HubSpot API endpoints accept UNIX formatted timestamps in
    milliseconds", and ISO 8601 for date and datetime properties:
    https://developers.hubspot.com/docs/faq/how-should-timestamps-be-formatted-for-hubspots-apis).
    None when it is neither."""
    text = raw.strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    found = _ISO.match(text)
    if found is None:
        return None
    year, month, day, hour, minute, second, fraction = found.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=UTC,
        )
    except ValueError:
        return None
    seconds = calendar.timegm(moment.utctimetuple())
    return seconds * 1000 + int((fraction or "0").ljust(3, "0"))


@dataclass(frozen=True)
class Property(Generic[R]):
    """One property of an object type, over the record type `R` it is stored in."""

    name: str
    kind: Kind
    """Also the property's `type` in the properties API."""
    render: Callable[[R], str | None]
    typed: Callable[[R], Typed | None]
    write: Callable[[R, str], None] | None = None
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
    whole_number: bool = False
    """A number property that takes integers only (writes of decimals are refused)."""


# -- building catalogues ---------------------------------------------------------------------


def text(value: str | None) -> str | None:
    return value if value else None


def number_text(value: int | None) -> str | None:
    return None if value is None else str(value)


def _set_text(attribute: str) -> Callable[[Any, str], None]:
    def write(record: Any, raw: str) -> None:
        setattr(record, attribute, raw or None)

    return write


def _set_int(attribute: str) -> Callable[[Any, str], None]:
    def write(record: Any, raw: str) -> None:
        setattr(record, attribute, None if raw == "" else int(float(raw)))

    return write


def text_property(
    name: str,
    attribute: str,
    label: str,
    *,
    field_type: str = "text",
    options: tuple[tuple[str, str], ...] = (),
    writable: bool = True,
) -> Property[Any]:
    """A string (or, with options, enumeration) property stored in one record attribute."""

    def render(record: Any) -> str | None:
        return text(getattr(record, attribute))

    kind = Kind.ENUMERATION if options else Kind.STRING
    return Property(
        name,
        kind,
        render,
        render,
        _set_text(attribute) if writable else None,
        label=label,
        field_type=field_type,
        options=options,
    )


def int_property(
    name: str, attribute: str, label: str, *, whole_number: bool = False
) -> Property[Any]:
    """A number property stored as an int (or None) in one record attribute."""

    def render(record: Any) -> str | None:
        return number_text(getattr(record, attribute))

    def typed(record: Any) -> int | None:
        value: int | None = getattr(record, attribute)
        return value

    return Property(
        name,
        Kind.NUMBER,
        render,
        typed,
        _set_int(attribute),
        label=label,
        field_type="number",
        whole_number=whole_number,
    )


def _set_owner(record: Any, raw: str) -> None:
    record.owner_id = raw or None


def record_id_property() -> Property[Any]:
    """`hs_object_id`, the record id, on every object."""
    return Property(
        "hs_object_id",
        Kind.NUMBER,
        lambda r: r.crm_id,
        lambda r: int(r.crm_id),
        None,
        label="Record ID",
        field_type="number",
    )


def owner_property(label: str) -> Property[Any]:
    """`hubspot_owner_id`: a string holding an owner id on every object
    (https://github.com/HubSpot/agent-cli-skills/blob/main/team-ownership/SKILL.md)."""
    return Property(
        "hubspot_owner_id",
        Kind.ENUMERATION,
        lambda r: r.owner_id,
        lambda r: r.owner_id,
        _set_owner,
        label=label,
        field_type="select",
        referenced_object_type="OWNER",
    )


def created_property() -> Property[Any]:
    return Property(
        "createdate",
        Kind.DATETIME,
        lambda r: iso_ms(r.created_ms),
        lambda r: r.created_ms,
        label="Create Date",
        field_type="date",
    )


def modified_property(name: str) -> Property[Any]:
    """The object's last-modified property (`hs_lastmodifieddate`, or contacts'
    `lastmodifieddate`), read-only, from the record's `modified_ms`."""
    return Property(
        name,
        Kind.DATETIME,
        lambda r: iso_ms(r.modified_ms),
        lambda r: r.modified_ms,
        label="Last Modified Date",
        field_type="date",
    )


def property_definition(prop: Property[Any], display_order: int, group_name: str) -> JsonObject:
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
        "groupName": group_name,
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


def split_property_names(values: Iterable[str]) -> list[str]:
    """`properties` may be repeated, comma-separated, or both."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@dataclass(frozen=True)
class SearchOverride:
    """Values the search index still holds for a record whose latest write is not indexed yet."""

    modified_ms: int
    owner_id: str | None


# -- checking writes -------------------------------------------------------------------------

_INTEGER = re.compile(r"^-?\d+(\.0+)?$")
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")


def check_writes(
    catalogue: Mapping[str, Property[Any]],
    properties: dict[str, object],
    active_owner_ids: frozenset[str],
) -> tuple[dict[str, str], list[PropertyProblem], list[PropertyProblem]]:
    """Split an input's properties into clean string values, whole-request problems (unknown or
    read-only names, malformed numbers or dates: HubSpot refuses the batch with 400) and
    per-input owner problems (an unknown or archived owner fails only that input)."""
    clean: dict[str, str] = {}
    request_problems: list[PropertyProblem] = []
    owner_problems: list[PropertyProblem] = []
    for name, value in properties.items():
        prop = catalogue.get(name)
        raw = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
        if prop is None:
            request_problems.append(
                PropertyProblem(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist')
            )
        elif prop.write is None:
            request_problems.append(
                PropertyProblem(name, "READ_ONLY_VALUE", f'Property "{name}" is read-only')
            )
        elif prop.kind is Kind.NUMBER and raw and not _number_ok(prop, raw):
            request_problems.append(
                PropertyProblem(name, "INVALID_INTEGER", f"{raw} is not a valid integer")
            )
        elif prop.kind is Kind.BOOL and raw.lower() not in ("", "true", "false"):
            request_problems.append(
                PropertyProblem(name, "INVALID_BOOLEAN", f"{raw} is not a valid boolean")
            )
        elif prop.kind is Kind.DATETIME and raw and parse_datetime_ms(raw) is None:
            # The code and text are ours: HubSpot's wording for a bad datetime is not published.
            request_problems.append(
                PropertyProblem(
                    name,
                    "INVALID_DATE",
                    f"{raw} is not a valid datetime; send milliseconds since the epoch or ISO 8601",
                )
            )
        elif name == "hubspot_owner_id" and raw and raw not in active_owner_ids:
            owner_problems.append(
                PropertyProblem(name, "INVALID_OWNER_ID", f"{raw} is not a valid owner id")
            )
        else:
            clean[name] = raw
    return clean, request_problems, owner_problems


def _number_ok(prop: Property[Any], raw: str) -> bool:
    pattern = _INTEGER if prop.whole_number else _DECIMAL
    return bool(pattern.match(raw))
