"""Building territory files, records and rep directories for the territory engine's tests."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from mapping.territories import (
    ACTIVE_EVERYWHERE,
    ACTIVE_NOWHERE,
    HUBSPOT,
    SALESFORCE,
    CompanyFacts,
    Evaluation,
    LoadedTerritories,
    RecordFacts,
    RepDirectoryEntry,
    evaluate,
    parse_territory_text,
)
from territory_sync.errors import TerritoryFileError

FILE = "territories.yaml"
DOMAIN = "acme-revenue.example"


def email(name: str) -> str:
    return f"{name}@{DOMAIN}"


def load(text: str, *, reps: dict[str, RepDirectoryEntry] | None = None) -> LoadedTerritories:
    """Parse a territory file written inline (indentation is removed)."""
    return parse_territory_text(textwrap.dedent(text), FILE, known_reps=reps)


def refusal(text: str, *, reps: dict[str, RepDirectoryEntry] | None = None) -> str:
    """The message `load` refuses a broken territory file with (fails if it loads)."""
    try:
        load(text, reps=reps)
    except TerritoryFileError as error:
        return str(error)
    raise AssertionError("the territory file loaded")


def directory(
    *active: str,
    inactive: Iterable[str] = (),
    salesforce_only: Iterable[str] = (),
    hubspot_only: Iterable[str] = (),
    inactive_in_salesforce: Iterable[str] = (),
    inactive_in_hubspot: Iterable[str] = (),
) -> dict[str, RepDirectoryEntry]:
    """Reps by email; names without "@" get the test domain. `active` reps are active in both
    CRMs, `inactive` ones in neither; `salesforce_only` and `hubspot_only` reps have a seat in
    one CRM; `inactive_in_...` reps have seats in both, one of them archived."""
    entries: dict[str, RepDirectoryEntry] = {}

    def add(name: str, active_in: frozenset[str], has_sf: bool, has_hs: bool) -> None:
        address = name if "@" in name else email(name)
        entries[address] = RepDirectoryEntry(address, active_in, has_sf, has_hs)

    for name in active:
        add(name, ACTIVE_EVERYWHERE, True, True)
    for name in inactive:
        add(name, ACTIVE_NOWHERE, True, True)
    for name in salesforce_only:
        add(name, frozenset({SALESFORCE}), True, False)
    for name in hubspot_only:
        add(name, frozenset({HUBSPOT}), False, True)
    for name in inactive_in_salesforce:
        add(name, frozenset({HUBSPOT}), True, True)
    for name in inactive_in_hubspot:
        add(name, frozenset({SALESFORCE}), True, True)
    return entries


def sf(
    external_id: str = "001000000000001",
    *,
    owner: str | None = None,
    raw: Mapping[str, object] | None = None,
    **values: Any,
) -> RecordFacts:
    """A Salesforce record; `owner` without "@" gets the test domain."""
    return _record("salesforce", external_id, owner, raw, values)


def hs(
    external_id: str = "1001",
    *,
    owner: str | None = None,
    raw: Mapping[str, object] | None = None,
    **values: Any,
) -> RecordFacts:
    return _record("hubspot", external_id, owner, raw, values)


def _record(
    source: str,
    external_id: str,
    owner: str | None,
    raw: Mapping[str, object] | None,
    values: dict[str, object],
) -> RecordFacts:
    if owner is not None and "@" not in owner:
        owner = email(owner)
    revenue = values.pop("annual_revenue", None)
    record = RecordFacts(source, external_id, current_owner_email=owner, raw=raw or {})
    for name, value in values.items():
        setattr(record, name, value)
    if revenue is not None:
        record.annual_revenue = Decimal(str(revenue))
    return record


def company(key: str, *records: RecordFacts) -> CompanyFacts:
    return CompanyFacts(key, records or (sf(),))


def one(
    rules: LoadedTerritories,
    *records: RecordFacts,
    reps: dict[str, RepDirectoryEntry] | None = None,
) -> tuple[str | None, str | None, str, str]:
    """(territory, rep, territory rule, rep rule) for a single business."""
    result = evaluate([company("only", *records)], rules, reps or {})
    a = result.assignments[0]
    return a.territory, a.rep_email, a.territory_rule, a.rep_rule


def outcomes(evaluation: Evaluation) -> dict[str, tuple[str | None, str | None]]:
    return {a.key: (a.territory, a.rep_email) for a in evaluation.assignments}
