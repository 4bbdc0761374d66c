"""Unified fields registered beside the declared ones (kept raw, no column) are tested by their
unified name, from whichever record of a business has a value, like any unified field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mapping.registry import FieldKind, UnifiedField, flag, registered, whole_number
from mapping.territories import RecordFacts
from tests.mapping.territories.support import hs, load, one, sf

LOCKED = UnifiedField(
    "owner_locked",
    FieldKind.FLAG,
    flag,
    {"salesforce": "Do_Not_Reassign__c", "hubspot": "do_not_reassign"},
)
SEATS = UnifiedField("seats", FieldKind.INTEGER, whole_number, {"hubspot": "seats"})

FILE = """\
    territories:
      - name: Locked
        priority: 10
        criteria: {field: owner_locked, equals: true}
        members: [{email: ana@acme-revenue.example}]
      - name: Big
        criteria: {field: seats, min: 500}
        members: [{email: ben@acme-revenue.example}]
      - name: Rest
        criteria: {country: [US]}
        members: [{email: cy@acme-revenue.example}]
"""


@pytest.fixture(autouse=True)
def fields() -> Iterator[None]:
    with registered(LOCKED, SEATS):
        yield


def with_extra(record: RecordFacts, **values: object) -> RecordFacts:
    record.extra = values
    return record


def test_a_registered_flag_is_tested_by_its_unified_name() -> None:
    record = with_extra(sf(country="US"), owner_locked=True)

    assert one(load(FILE), record)[0] == "Locked"


def test_a_registered_number_is_compared_as_a_number_in_a_band() -> None:
    small = with_extra(hs(country="US"), owner_locked=False, seats=40)
    big = with_extra(hs(country="DE"), owner_locked=False, seats=900)

    assert one(load(FILE), small)[0] == "Rest"
    assert one(load(FILE), big)[0] == "Big"


def test_the_other_record_of_a_business_fills_a_registered_value_the_primary_lacks() -> None:
    primary = with_extra(sf(country="DE"))
    other = with_extra(hs(country="DE"), seats=700)

    assert one(load(FILE), primary, other)[0] == "Big"


def test_a_raw_field_of_the_same_name_is_not_read_for_a_registered_field() -> None:
    record = sf(country="US", raw={"owner_locked": True})

    assert one(load(FILE), record)[0] == "Rest"


def test_a_registered_field_is_not_a_raw_field_to_pull() -> None:
    assert "owner_locked" not in load(FILE).raw_fields
