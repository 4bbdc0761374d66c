"""The field names a territory file may test, and how a business's value for each is read.

Two kinds of name: the unified fields every account has after mapping (`country`, `employees`,
...), the product's own model, and raw CRM fields in the CRM's own spelling (`Type`,
`lifecyclestage`, custom fields). No CRM field is known here: a file may name any raw field, and
loading records where each one is first used (`FieldUse`), so the run pulls exactly those and a
field a CRM lacks is reported with its file and line. A caller that knows a CRM's fields passes
them to the loader, and then a name outside them is an error (with a "did you mean").

A reader takes the business's two records in decision order (primary first, see `facts`) and
returns the first value that is not None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

from mapping.territories.facts import RecordFacts

FieldReader = Callable[[RecordFacts, RecordFacts | None], object]

UNIFIED_FIELDS: tuple[str, ...] = (
    "name",
    "domain",
    "country",
    "region",
    "city",
    "postal_code",
    "industry",
    "industry_raw",
    "employees",
    "annual_revenue",
)
NUMERIC_FIELDS = frozenset({"employees", "annual_revenue"})
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


def unified_reader(name: str) -> FieldReader:
    """Read a unified field: the primary record's value, else the other record's."""
    get = attrgetter(name)

    def read(first: RecordFacts, second: RecordFacts | None) -> object:
        value = get(first)
        if value is None and second is not None:
            value = get(second)
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
    return unified_reader(name) if name in UNIFIED_FIELDS else raw_reader(name)
