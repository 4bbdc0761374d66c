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
    and `createdAt`/`updatedAt` (e.g. `2019-12-07T16:50:06.678Z`, team notes "Companies")."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


def _text(value: str | None) -> str | None:
    return value if value else None


def _number(value: int | None) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class CompanyProperty:
    name: str
    kind: Kind
    render: Callable[[SeedAccount], str | None]
    typed: Callable[[SeedAccount], Typed | None]
    write: Callable[[SeedAccount, str], None] | None = None
    """None for read-only properties (HubSpot computes them)."""


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


def _text_property(name: str, attribute: str, kind: Kind = Kind.STRING) -> CompanyProperty:
    def render(account: SeedAccount) -> str | None:
        return _text(getattr(account, attribute))

    return CompanyProperty(name, kind, render, render, _set_text(attribute))


def _int_property(name: str, attribute: str) -> CompanyProperty:
    def render(account: SeedAccount) -> str | None:
        return _number(getattr(account, attribute))

    def typed(account: SeedAccount) -> int | None:
        value: int | None = getattr(account, attribute)
        return value

    return CompanyProperty(name, Kind.NUMBER, render, typed, _set_int(attribute))


# The territory properties HubSpot names this way (team notes /work/shared/api-notes/hubspot.md,
# "Companies"), plus lifecyclestage and the portal's custom do_not_reassign checkbox.
_CATALOGUE: tuple[CompanyProperty, ...] = (
    CompanyProperty("hs_object_id", Kind.NUMBER, lambda a: a.crm_id, lambda a: int(a.crm_id), None),
    _text_property("name", "name"),
    _text_property("domain", "domain"),
    _text_property("website", "website"),
    _text_property("country", "country"),
    _text_property("state", "region"),
    _text_property("city", "city"),
    _text_property("zip", "postal_code"),
    _text_property("industry", "industry", Kind.ENUMERATION),
    _int_property("numberofemployees", "employees"),
    _int_property("annualrevenue", "annual_revenue"),
    CompanyProperty(
        "hubspot_owner_id",
        Kind.ENUMERATION,
        lambda a: a.owner_id,
        lambda a: a.owner_id,
        _set_owner,
    ),
    _text_property("lifecyclestage", "account_type", Kind.ENUMERATION),
    CompanyProperty(
        "do_not_reassign",
        Kind.BOOL,
        lambda a: "true" if a.do_not_reassign else "false",
        lambda a: "true" if a.do_not_reassign else "false",
        _set_bool,
    ),
    CompanyProperty(
        "createdate", Kind.DATETIME, lambda a: iso_ms(a.created_ms), lambda a: a.created_ms
    ),
    CompanyProperty(
        "hs_lastmodifieddate",
        Kind.DATETIME,
        lambda a: iso_ms(a.modified_ms),
        lambda a: a.modified_ms,
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
