"""The field names a territory file may test, and how a business's value for each is read.

Two kinds of name: the unified fields every account has after mapping (`country`, `employees`,
...), the product's own model, declared in the field registry (`mapping.registry`), and raw CRM
fields in the CRM's own spelling (`Type`, `lifecyclestage`, custom fields). No CRM field is known
here: a file may name any raw field, and loading records where each one is first used
(`FieldUse`), so the run pulls exactly those and a field a CRM lacks is reported with its file and
line. A caller that knows a CRM's fields passes
them to the loader, and then a name outside them is an error (with a "did you mean").

A reader takes the business's two records in decision order (primary first, see `facts`) and
returns the first value that is not None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

from mapping.registry import numeric_fields, territory_fields
from mapping.territories.facts import RecordFacts, has_attribute

FieldReader = Callable[[RecordFacts, RecordFacts | None], object]

GEOGRAPHIC_FIELDS = frozenset({"country", "region"})
"""The fields the territory index is keyed on: criteria reading only these are decided once per
(country, region) pair instead of once per account."""


@dataclass(frozen=True, slots=True)
class FieldUse:
    """Where a territory file first tests a raw CRM field: so a run pulls exactly the fields a
    file uses, and an error about a field a CRM lacks names the file, line and field."""

    field: str
    line: int
    territory: str | None
    """The territory whose criteria test it, or None when a holdout does."""
    holdout: str | None = None
    """The holdout whose criteria test it, or None when a territory does."""

    @property
    def place(self) -> str:
        """For messages: territory 'NA-West', or holdout 'Customers'."""
        if self.territory is not None:
            return f"territory {self.territory!r}"
        return f"holdout {self.holdout!r}"


def unified_fields() -> tuple[str, ...]:
    """The unified names a file may test, registered ones included (`mapping.registry`)."""
    return territory_fields()


def is_unified(name: str) -> bool:
    return name in territory_fields()


def is_numeric(name: str) -> bool:
    """A unified field holding numbers (`employees`, `annual_revenue`, ...)."""
    return name in numeric_fields()


def unified_reader(name: str) -> FieldReader:
    """Read a unified field: the primary record's value, else the other record's. A field with
    a column is an attribute of the facts; one kept raw is in their `extra` values."""
    if not has_attribute(name):
        return extra_reader(name)
    get = attrgetter(name)

    def read(first: RecordFacts, second: RecordFacts | None) -> object:
        value = get(first)
        if value is None and second is not None:
            value = get(second)
        return value

    return read


def extra_reader(name: str) -> FieldReader:
    """Read a registered unified field kept raw (not an attribute of the facts)."""

    def read(first: RecordFacts, second: RecordFacts | None) -> object:
        value = first.extra.get(name)
        if value is None and second is not None:
            value = second.extra.get(name)
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
    return unified_reader(name) if is_unified(name) else raw_reader(name)
