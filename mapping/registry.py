"""One field registry: each unified account field declared once, and every list derived from it.

A `UnifiedField` says what a unified field is called, what kind of value it holds, which field of
each CRM holds it, the normaliser that turns the CRM's value into the unified one, and where it is
used. `ACCOUNT_FIELDS` declares them in the order people see them (messages, `explain`). The rest
of the product derives its lists from here, never keeping its own:

- the fields each connector pulls (`crm_fields`, `raw_kept_crm_fields`), passed by the sync;
- the field mapping from a CRM record to a `UnifiedAccount` (`mapping.fields.to_unified`);
- the upsert's columns (`sync.store.accounts`) and those the territory engine's facts are read
  from (`sync.companies`), with the values of fields kept raw (`raw_kept_values`);
- the unified names a territory file may test and which of them are numbers
  (`mapping.territories.fields`), and the values `explain` shows (`explained_fields`).

Where it sits: in mapping, because it holds the normalisers (`mapping.normalise`). The layers
contract (`[tool.importlinter]` in pyproject.toml) puts connectors and mapping side by side, below
sync, and neither may import the other. So connectors know nothing of the registry: the sync reads
the CRM field names here and tells each connector which fields to pull, as it already tells them
the raw fields a territory file tests. In the foundation the registry could hold names but not
normalisers, and every field would again be declared twice.

Adding a field is one entry. A field without a column (`column=False`, the default) is pulled
from each CRM that has its source field, stored as pulled in the account's `raw` fields (under the
CRM's name, like every pulled field), and normalised when the territory engine's facts are built,
so it needs no schema change; territory files test it by its unified name (`{field: name,
equals: ...}`). Once added, the next pull of each CRM is a full one, because the stored accounts
were pulled without it (`sync.pull` remembers the fields kept raw with the cursor). A field with a
column (`column=True`) is one of the unified model's own columns and also needs that column: a
migration, `Account`, `UnifiedAccount`, and `RecordFacts` when territory files test it;
`tests/mapping/test_registry.py` checks them against the declarations.

`registered(...)` declares more fields kept raw while a block runs (a test, a plugin): every
derived list follows the registry as it is when read.
"""

from __future__ import annotations

import graphlib
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
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
from mapping.normalise.times import parse_crm_datetime

SOURCES = ("salesforce", "hubspot")


class FieldKind(StrEnum):
    """What a unified value is: how it is stored, compared and shown."""

    TEXT = "text"
    INTEGER = "integer"
    MONEY = "money"
    """A Decimal with two places."""
    FLAG = "flag"
    TIME = "time"
    """A timezone-aware UTC datetime."""


NUMERIC_KINDS = frozenset({FieldKind.INTEGER, FieldKind.MONEY})


@dataclass(slots=True)
class Reading:
    """What a normaliser may consult besides its own value, for one record."""

    source: str
    """The CRM the record comes from (`salesforce` or `hubspot`)."""
    deleted: bool
    """The connector says the record is deleted (Salesforce `queryAll`, HubSpot archived)."""
    values: dict[str, object]
    """The unified values already read, among them every field this one `needs`."""


Normaliser = Callable[[Any, Reading], object]
"""(the CRM's value or None, the record being read) -> the unified value or None."""


@dataclass(frozen=True, slots=True, eq=False)
class UnifiedField:
    """One unified account field (compared by identity: each is declared once)."""

    name: str
    """The unified name: an attribute of `UnifiedAccount` for a column, and what territory files
    and `explain` call it."""
    kind: FieldKind
    normalise: Normaliser
    sources: Mapping[str, str] = field(default_factory=dict)
    """CRM -> the field holding the value there, in that CRM's spelling (Salesforce API name,
    HubSpot internal property name). A CRM not listed has none: the normaliser gets None."""
    needs: tuple[str, ...] = ()
    """Unified fields read before this one (in `Reading.values`): `region` needs `country`."""
    pulled: bool = True
    """Pulled on every run. A field without a column may say False: it is then pulled only while
    the territory file tests it."""
    column: bool = False
    """Stored in a column of its own (see the module docstring); otherwise kept raw."""
    territory: bool = True
    """Territory files may test it; the territory engine's facts carry it."""
    explain: bool = True
    """`explain` shows it among the values used."""

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


# --- normalisers, as the registry calls them ------------------------------------------------
# The plain ones serve any field; the others know the field they normalise.


def text(value: Any, reading: Reading) -> str | None:
    """Free text, tidied (`clean_text`)."""
    return clean_text(value)


def flag(value: Any, reading: Reading) -> bool:
    """A checkbox: a boolean, or text such as "true", "1" or "yes" (HubSpot sends text)."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "1", "yes"}


def whole_number(value: Any, reading: Reading) -> int | None:
    """A count, such as a head count (`parse_employee_count`)."""
    return parse_employee_count(value)


def money(value: Any, reading: Reading) -> object:
    """An amount, such as annual revenue (`parse_revenue`)."""
    return parse_revenue(value)


def crm_time(value: Any, reading: Reading) -> object:
    """A modified time; one that is not a time makes the record malformed (`parse_crm_datetime`)."""
    return parse_crm_datetime(value)


def _deleted(value: Any, reading: Reading) -> bool:
    return reading.deleted or flag(value, reading)


def _domain(value: Any, reading: Reading) -> str | None:
    """The CRM's domain field where it has one (HubSpot), else the website's domain."""
    website = reading.values["website"]
    return normalise_domain(clean_text(value)) or normalise_domain(
        website if isinstance(website, str) else None
    )


def _country_code(reading: Reading) -> str | None:
    country = reading.values["country"]
    return country if isinstance(country, str) else None


def _country(value: Any, reading: Reading) -> str | None:
    return normalise_country(clean_text(value))


def _region(value: Any, reading: Reading) -> str | None:
    return normalise_region(_country_code(reading), clean_text(value))


def _postal_code(value: Any, reading: Reading) -> str | None:
    return normalise_postal_code(_country_code(reading), clean_text(value))


def _industry(value: Any, reading: Reading) -> str | None:
    """The unified industry key of the CRM's own industry value (`industry_raw`)."""
    raw = reading.values["industry_raw"]
    return normalise_industry(
        reading.source,  # type: ignore[arg-type]
        raw if isinstance(raw, str) else None,
    )


# --- the declaration --------------------------------------------------------------------------
# Salesforce Account fields:
# https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_account.htm
# HubSpot default company properties:
# https://knowledge.hubspot.com/properties/hubspots-default-company-properties

ACCOUNT_FIELDS: tuple[UnifiedField, ...] = (
    UnifiedField(
        "name", FieldKind.TEXT, text, {"salesforce": "Name", "hubspot": "name"}, column=True
    ),
    UnifiedField(
        "website",
        FieldKind.TEXT,
        text,
        {"salesforce": "Website", "hubspot": "website"},
        column=True,
        territory=False,
        explain=False,
    ),
    UnifiedField(
        "domain", FieldKind.TEXT, _domain, {"hubspot": "domain"}, needs=("website",), column=True
    ),
    UnifiedField(
        "country",
        FieldKind.TEXT,
        _country,
        {"salesforce": "BillingCountry", "hubspot": "country"},
        column=True,
    ),
    UnifiedField(
        "region",
        FieldKind.TEXT,
        _region,
        {"salesforce": "BillingState", "hubspot": "state"},
        needs=("country",),
        column=True,
    ),
    UnifiedField(
        "city",
        FieldKind.TEXT,
        text,
        {"salesforce": "BillingCity", "hubspot": "city"},
        column=True,
        explain=False,
    ),
    UnifiedField(
        "postal_code",
        FieldKind.TEXT,
        _postal_code,
        {"salesforce": "BillingPostalCode", "hubspot": "zip"},
        needs=("country",),
        column=True,
    ),
    UnifiedField("industry", FieldKind.TEXT, _industry, needs=("industry_raw",), column=True),
    UnifiedField(
        "industry_raw",
        FieldKind.TEXT,
        text,
        {"salesforce": "Industry", "hubspot": "industry"},
        column=True,
        explain=False,
    ),
    UnifiedField(
        "employees",
        FieldKind.INTEGER,
        whole_number,
        {"salesforce": "NumberOfEmployees", "hubspot": "numberofemployees"},
        column=True,
    ),
    UnifiedField(
        "annual_revenue",
        FieldKind.MONEY,
        money,
        {"salesforce": "AnnualRevenue", "hubspot": "annualrevenue"},
        column=True,
    ),
    UnifiedField(
        "owner_id",
        FieldKind.TEXT,
        text,
        {"salesforce": "OwnerId", "hubspot": "hubspot_owner_id"},
        column=True,
        territory=False,
        explain=False,
    ),
    UnifiedField(
        "crm_modified_at",
        FieldKind.TIME,
        crm_time,
        {"salesforce": "SystemModstamp", "hubspot": "hs_lastmodifieddate"},
        column=True,
        territory=False,
        explain=False,
    ),
    UnifiedField(
        "deleted",
        FieldKind.FLAG,
        _deleted,
        {"salesforce": "IsDeleted"},
        column=True,
        territory=False,
        explain=False,
    ),
)

RESERVED_NAMES = frozenset(
    {
        "id",
        "source",
        "external_id",
        "raw",
        "extra",
        "current_owner_email",
        "owner_since",
        "first_seen_at",
        "last_seen_at",
    }
)
"""Names the records already use for something else."""

# --- extending it -----------------------------------------------------------------------------

_lock = threading.Lock()


@cache
def _reading_order(fields: tuple[UnifiedField, ...]) -> tuple[UnifiedField, ...]:
    """Declaration order, moved only as far as `needs` require."""
    by_name = {f.name: f for f in fields}
    sorter = graphlib.TopologicalSorter({f.name: f.needs for f in fields})
    sorter.prepare()
    order: list[UnifiedField] = []
    rank = {f.name: i for i, f in enumerate(fields)}
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=rank.__getitem__)
        order.extend(by_name[name] for name in ready)
        sorter.done(*ready)
    return tuple(order)


def _checked(fields: tuple[UnifiedField, ...]) -> tuple[UnifiedField, ...]:
    """`fields`, or ValueError naming what is wrong with the declaration."""
    names = [f.name for f in fields]
    by_name = {f.name: f for f in fields}
    for entry in fields:
        if not entry.name.isidentifier() or entry.name in RESERVED_NAMES:
            raise ValueError(f"unified field name {entry.name!r} is not a free identifier")
        if names.count(entry.name) > 1:
            raise ValueError(f"unified field {entry.name!r} is declared twice")
        unknown = set(entry.sources) - set(SOURCES)
        if unknown:
            raise ValueError(f"unified field {entry.name!r}: unknown CRM {sorted(unknown)}")
        missing = [need for need in entry.needs if need not in names]
        if missing:
            raise ValueError(f"unified field {entry.name!r} needs undeclared {missing}")
        if entry.column and not entry.pulled:
            raise ValueError(f"unified field {entry.name!r} has a column, so it is always pulled")
        untested = [n for n in entry.needs if not entry.column and not by_name[n].territory]
        if untested:
            raise ValueError(
                f"unified field {entry.name!r} is kept raw and read with the territory engine's "
                f"facts, which do not hold {untested}"
            )
    _reading_order(fields)  # raises graphlib.CycleError (a ValueError) on circular needs
    return fields


_current: tuple[UnifiedField, ...] = _checked(ACCOUNT_FIELDS)


@contextmanager
def registered(*fields: UnifiedField) -> Iterator[tuple[UnifiedField, ...]]:
    """Declare more unified fields, kept raw, while the block runs, after the declared ones;
    yields the registry as it then is. A field with a column is declared in `ACCOUNT_FIELDS`,
    beside its migration."""
    global _current
    with_column = [f.name for f in fields if f.column]
    if with_column:
        raise ValueError(
            f"unified fields {with_column} have a column: declare them in ACCOUNT_FIELDS, "
            "beside the migration that adds it"
        )
    with _lock:
        before = _current
        _current = _checked((*before, *fields))
    try:
        yield _current
    finally:
        with _lock:
            _current = before


def account_fields() -> tuple[UnifiedField, ...]:
    """Every unified account field, in declaration order."""
    return _current


# --- derived lists (cached per registry, so hot paths read them once) --------------------------


def model_fields() -> tuple[UnifiedField, ...]:
    """The fields stored in columns of their own: `UnifiedAccount`'s, in declaration order."""
    return tuple(f for f in _current if f.column)


def raw_kept_fields() -> tuple[UnifiedField, ...]:
    """The fields without a column: kept in `raw`, normalised when facts are built."""
    return tuple(f for f in _current if not f.column)


def crm_fields(source: str) -> tuple[str, ...]:
    """The fields of `source` the unified model's columns are made from: what its connector
    pulls on every run, in declaration order."""
    return tuple(f.sources[source] for f in _current if f.column and source in f.sources)


def raw_kept_crm_fields(source: str, tested: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The fields of `source` behind the fields kept raw that a run pulls: those pulled on every
    run, and those pulled on demand that `tested` (unified names a territory file tests) names."""
    return tuple(
        f.sources[source]
        for f in _current
        if not f.column and source in f.sources and (f.pulled or f.name in tested)
    )


def territory_fields() -> tuple[str, ...]:
    """The unified names a territory file may test, in declaration order."""
    return tuple(f.name for f in _current if f.territory)


def numeric_fields() -> frozenset[str]:
    """The testable unified fields that hold numbers (bands compare them as they are)."""
    return frozenset(f.name for f in _current if f.territory and f.numeric)


def explained_fields() -> tuple[str, ...]:
    """The unified values `explain` shows, in declaration order."""
    return tuple(f.name for f in _current if f.territory and f.explain)


@cache
def _column_plan(
    fields: tuple[UnifiedField, ...], source: str
) -> tuple[tuple[str, str | None, Normaliser], ...]:
    return tuple(
        (f.name, f.sources.get(source), f.normalise) for f in _reading_order(fields) if f.column
    )


def model_reading(source: str) -> tuple[tuple[str, str | None, Normaliser], ...]:
    """(unified name, `source`'s field or None, normaliser) for every column, in reading order
    (each after the fields it needs): what `to_unified` runs for every record."""
    return _column_plan(_current, source)


@cache
def _raw_plan(
    fields: tuple[UnifiedField, ...], source: str
) -> tuple[tuple[str, str | None, Normaliser], ...]:
    return tuple(
        (f.name, f.sources.get(source), f.normalise)
        for f in _reading_order(fields)
        if not f.column and f.territory
    )


def raw_kept_values(
    source: str, raw: Mapping[str, Any], values: Mapping[str, object]
) -> dict[str, object]:
    """The unified values of the testable fields kept raw, for one record: read from its raw
    fields, with `values` (its columns) for what they need. Empty while none is declared."""
    plan = _raw_plan(_current, source)
    if not plan:
        return {}
    reading = Reading(source, False, dict(values))
    for name, crm_field, normalise in plan:
        reading.values[name] = normalise(raw.get(crm_field) if crm_field else None, reading)
    return {name: reading.values[name] for name, _, _ in plan}
