"""A broken territory file is reported with all its errors at once, in line order.

Each error reads as it would alone (file, line, territory, field, what to do), under a line that
counts them; a file with one error reads exactly as before.
"""

from __future__ import annotations

import textwrap
from collections.abc import Collection, Mapping

import pytest

from mapping.territories import RepDirectoryEntry, parse_territory_text
from territory_sync.errors import TerritoryFileError
from tests.mapping.territories.support import FILE, directory, refusal

FIVE_ERRORS = """\
version: 1
territories:
  - name: NA-West
    prority: 5
    criteria:
      country: [US]
      employees: {min: 1000, max: 50}
    members:
      - email: ana.ortiz
  - name: EMEA
    criteria:
      country: [DE]
    goals: {period: quarter, bookings: -5}
    members:
      - email: ben@acme-revenue.example
  - name: NA-West
    criteria:
      country: [CA]
"""


def errors_of(
    text: str,
    *,
    known_fields: Collection[str] | None = None,
    known_reps: Mapping[str, RepDirectoryEntry] | None = None,
) -> tuple[TerritoryFileError, ...]:
    """Each error the file is refused with, in the order they are listed."""
    with pytest.raises(TerritoryFileError) as raised:
        parse_territory_text(
            textwrap.dedent(text), FILE, known_fields=known_fields, known_reps=known_reps
        )
    return raised.value.errors


def test_five_errors_in_several_territories_are_all_reported_in_line_order() -> None:
    assert refusal(FIVE_ERRORS) == (
        "territories.yaml: 5 errors, in line order:\n"
        "territories.yaml:4: territory 'NA-West', field 'prority': unknown key 'prority' in a "
        "territory (did you mean 'priority'?): use name, parent, priority, criteria, "
        "assignment, members, require, prefer, goals, children\n"
        "territories.yaml:7: territory 'NA-West', field 'employees': employees band is empty: "
        "min 1000 is not below max 50 (min is included, max excluded)\n"
        "territories.yaml:9: territory 'NA-West', field 'members': 'ana.ortiz' is not an email "
        "address: write the rep's email as the CRMs have it, e.g. ana.ortiz@example.com\n"
        "territories.yaml:13: territory 'EMEA', field 'goals': bookings must be 0 or more, not "
        "-5: an amount in the reporting currency\n"
        "territories.yaml:16: territory 'NA-West', field 'name': the name 'NA-West' is already "
        "used by the territory on line 3: give each territory its own name"
    )


def test_each_error_carries_its_file_line_territory_and_field() -> None:
    assert [(e.file, e.line, e.territory, e.field) for e in errors_of(FIVE_ERRORS)] == [
        (FILE, 4, "NA-West", "prority"),
        (FILE, 7, "NA-West", "employees"),
        (FILE, 9, "NA-West", "members"),
        (FILE, 13, "EMEA", "goals"),
        (FILE, 16, "NA-West", "name"),
    ]


def test_errors_found_late_are_still_listed_by_their_line() -> None:
    errors = errors_of(
        """\
        named_accounts:
          - domain: acme.com
            territory: Nowhere
        territories:
          - name: NA
            criteria: {country: [Atlantis]}
        """
    )
    assert [(e.line, e.field) for e in errors] == [(3, "territory"), (6, "country")]


def test_a_wrong_version_does_not_hide_the_errors_of_the_territories() -> None:
    errors = errors_of("version: 2\nterritories:\n  - name: NA\n    priority: high\n")
    assert [(e.line, e.field) for e in errors] == [(1, "version"), (4, "priority")]


def test_every_bad_field_of_one_territory_is_reported() -> None:
    errors = errors_of(
        """\
        territories:
          - name: NA
            priority: high
            assignment: round_robin
            criteria: {country: [US, Germny], region: [US-XX]}
            members:
              - {email: ana@acme-revenue.example, weight: 0, capacity: none}
        """
    )
    assert [e.field for e in errors] == [
        "priority",
        "assignment",
        "country",
        "region",
        "weight",
        "capacity",
    ]


def test_an_unknown_field_and_an_unknown_rep_are_reported_with_the_other_errors() -> None:
    errors = errors_of(
        """\
        territories:
          - name: NA
            criteria: {field: Tpye, equals: Customer}
            members: [{email: nobody@acme-revenue.example}]
          - name: EMEA
            criteria: {country: [DE]}
            members:
              - email: ana@acme-revenue.example
              - email: ana@acme-revenue.example
        """,
        known_fields=["Type"],
        known_reps=directory("ana"),
    )
    assert [e.message.split(":")[0] for e in errors] == [
        "unknown field 'Tpye' (did you mean 'Type'?)",
        "unknown rep nobody@acme-revenue.example",
        "ana@acme-revenue.example is listed twice in this territory (first on line 8)",
    ]


def test_every_proven_overlap_is_reported() -> None:
    errors = errors_of(
        """\
        territories:
          - {name: US-1, criteria: {country: [US]}}
          - {name: US-2, criteria: {country: [US]}}
          - {name: DE-1, criteria: {country: [DE]}}
          - {name: DE-2, criteria: {country: [DE]}}
        """
    )
    assert [(e.territory, e.field) for e in errors] == [("US-2", "criteria"), ("DE-2", "criteria")]


def test_a_file_with_one_error_reads_as_that_error_alone() -> None:
    assert refusal("territories:\n  - name: NA\n    priority: high\n") == (
        "territories.yaml:3: territory 'NA', field 'priority': priority must be a whole number; "
        "the higher priority wins an overlap"
    )
