"""A book of businesses as columns: what the columnar engine (`columnar`) evaluates.

One row per business. Every value a territory file tests is held once per business, already
merged the way the engine reads it (the primary record's value, else the other record's: see
`facts`), and dictionary-encoded: a field is an array of integer codes into its list of distinct
values, code -1 meaning no value. A criterion then needs testing once per distinct value, not
once per business. The records' CRMs and owners are integer-coded too (sources by position in
`SOURCES`, owners by position in `owners`, -1 for none).

Identifiers (domains, CRM ids) are not columns: the few businesses whose identifiers a named
account might match are listed in `identified` with their records, and resolved by the engine's
own `named_entry`; a superset is harmless.

`columns_from_companies` builds the columns from `CompanyFacts`; the store builds them directly
(`sync.company_columns`) without making a `CompanyFacts` per business.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from mapping.territories.criteria import Combinator, Criterion, FieldCriterion
from mapping.territories.facts import SOURCES, CompanyFacts, RecordFacts, has_attribute
from mapping.territories.fields import is_unified
from mapping.territories.rules import LoadedTerritories

Codes = npt.NDArray[np.int32]
SOURCE_CODE = {source: code for code, source in enumerate(SOURCES)}

ATTRIBUTE = "attribute"
RAW = "raw"
EXTRA = "extra"


@dataclass(frozen=True)
class FieldColumn:
    """One field's merged value per business: `categories[codes[i]]`, or None where -1."""

    codes: Codes
    categories: Sequence[object]


@dataclass
class CompanyColumns:
    """A book as columns (see the module docstring). Rows follow `order`: the rank of each
    business's key among all keys (ties are impossible: keys are unique), which decides the
    order new accounts are dealt in, as the key does for `CompanyFacts`."""

    order: npt.NDArray[np.int64]
    source: npt.NDArray[np.int8]
    """The primary record's CRM."""
    other: npt.NDArray[np.int8]
    """The other record's CRM, -1 for a business in one CRM."""
    owner: Codes
    """The primary record's owner, into `owners`; -1 for none."""
    other_owner: Codes
    owners: list[str]
    """Lower-case emails (reps or not) that own some record."""
    values: dict[str, FieldColumn]
    """Every field the territory file tests, and `country` and `region` always."""
    identified: dict[int, tuple[RecordFacts, RecordFacts | None]] = field(default_factory=dict)
    """Businesses a named account may match: their records, primary first."""
    keys: Sequence[str] | None = None
    """The businesses' keys, when known (for `Assignment.key`)."""
    record_ids: npt.NDArray[np.int64] | None = None
    """Loaded from a store: per row, the store's ids of the business's records (two columns:
    its Salesforce record's, else its only one's; then its linked record's, -1 for none)."""

    def __len__(self) -> int:
        return len(self.source)


def field_kind(name: str) -> str:
    """Where the facts hold a field: an attribute, the raw CRM fields, or the `extra` values."""
    if is_unified(name):
        return ATTRIBUTE if has_attribute(name) else EXTRA
    return RAW


def criteria_of(rules: LoadedTerritories) -> list[Criterion]:
    """Every criterion of every territory and holdout, combinators and their children."""
    found: list[Criterion] = []
    stack: list[Criterion] = [c for t in rules.territories.values() for c in t.criteria]
    stack += [holdout.criterion for holdout in rules.holdouts]
    seen: set[int] = set()
    while stack:
        criterion = stack.pop()
        if id(criterion) in seen:
            continue
        seen.add(id(criterion))
        found.append(criterion)
        if isinstance(criterion, Combinator):
            stack.extend(criterion.children)
    return found


def tested_fields(rules: LoadedTerritories) -> list[str]:
    """The fields the file's criteria read, with `country` and `region` (the index's keys)."""
    names = {"country", "region"}
    for criterion in criteria_of(rules):
        if isinstance(criterion, FieldCriterion):
            names.add(criterion.field)
    return sorted(names)


def facts_with(name: str, value: object) -> RecordFacts:
    """A record whose only value is `value` for `name`: what a criterion on that field reads."""
    kind = field_kind(name)
    if kind == ATTRIBUTE:
        record = RecordFacts(source="", external_id="")
        setattr(record, name, value)
        return record
    if value is None:
        return RecordFacts(source="", external_id="")
    if kind == RAW:
        return RecordFacts(source="", external_id="", raw={name: value})
    return RecordFacts(source="", external_id="", extra={name: value})


def _reader(name: str) -> object:
    kind = field_kind(name)

    def read(first: RecordFacts, second: RecordFacts | None) -> object:
        if kind == ATTRIBUTE:
            value = getattr(first, name)
            if value is None and second is not None:
                value = getattr(second, name)
            return value
        source = first.raw if kind == RAW else first.extra
        value = source.get(name)
        if value is None and second is not None:
            other = second.raw if kind == RAW else second.extra
            value = other.get(name)
        return value

    return read


def encode(values: Iterable[object]) -> FieldColumn:
    """Dictionary-encode values (None as -1); unhashable values each get their own code."""
    categories: list[object] = []
    index: dict[object, int] = {}
    codes: list[int] = []
    for value in values:
        if value is None:
            codes.append(-1)
            continue
        try:
            # Equal values of different types (True and 1) are told apart.
            code = index.get((type(value), value))
        except TypeError:
            code = None
            index_key = None
        else:
            index_key = (type(value), value)
        if code is None:
            code = len(categories)
            categories.append(value)
            if index_key is not None:
                index[index_key] = code
        codes.append(code)
    return FieldColumn(np.array(codes, dtype=np.int32), categories)


def columns_from_companies(
    companies: Sequence[CompanyFacts], rules: LoadedTerritories
) -> CompanyColumns:
    """The columns of a list of businesses (rows in list order)."""
    primary = rules.settings.primary_source
    pairs: list[tuple[RecordFacts, RecordFacts | None]] = []
    for company in companies:
        records = company.records
        if len(records) == 1:
            pairs.append((records[0], None))
        elif records[0].source == primary:
            pairs.append((records[0], records[1]))
        else:
            pairs.append((records[1], records[0]))
    owners: dict[str, int] = {}

    def owner_code(record: RecordFacts | None) -> int:
        if record is None or record.current_owner_email is None:
            return -1
        return owners.setdefault(record.current_owner_email, len(owners))

    values = {}
    for name in tested_fields(rules):
        read = _reader(name)
        values[name] = encode(read(first, second) for first, second in pairs)  # type: ignore[operator]
    lookup = rules.named_lookup.any_identifier
    identified = {}
    if lookup:
        for row, (first, second) in enumerate(pairs):
            if any(
                record is not None and (record.domain in lookup or record.external_id in lookup)
                for record in (first, second)
            ):
                identified[row] = (first, second)
    keys = [company.key for company in companies]
    ranks = np.empty(len(keys), dtype=np.int64)
    ranks[sorted(range(len(keys)), key=keys.__getitem__)] = np.arange(len(keys))
    return CompanyColumns(
        order=ranks,
        source=np.array([SOURCE_CODE[first.source] for first, _ in pairs], dtype=np.int8),
        other=np.array(
            [SOURCE_CODE[second.source] if second else -1 for _, second in pairs], dtype=np.int8
        ),
        owner=np.array([owner_code(first) for first, _ in pairs], dtype=np.int32),
        other_owner=np.array([owner_code(second) for _, second in pairs], dtype=np.int32),
        owners=list(owners),
        values=values,
        identified=identified,
        keys=keys,
    )
