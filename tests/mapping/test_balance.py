"""Balance reports: fair books have a Gini near 0; the what-if counts moves between reps."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mapping.balance import gini, what_if
from mapping.territories.assignment import Assignment
from mapping.territories.facts import CompanyFacts, RecordFacts


def company(n: int, owner: str, revenue: int = 1_000_000) -> CompanyFacts:
    record = RecordFacts(
        source="salesforce",
        external_id=f"001{n:015d}",
        current_owner_email=owner,
        annual_revenue=Decimal(revenue),
        employees=100,
    )
    return CompanyFacts(f"salesforce:{record.external_id}", (record,))


def test_an_even_split_has_a_gini_of_zero() -> None:
    assert gini([10, 10, 10]) == 0


def test_one_rep_holding_everything_approaches_a_gini_of_one() -> None:
    assert gini([0, 0, 0, 100]) == pytest.approx(0.75)


def test_the_what_if_counts_moves_between_reps_and_the_books_after() -> None:
    companies = [company(n, "ana@x.example" if n < 6 else "ben@x.example") for n in range(8)]
    current = [
        Assignment(
            c.key,
            "West",
            c.records[0].current_owner_email,
            "only_match",
            "sticky",
            None,
            "salesforce",
            None,
        )
        for c in companies
    ]
    proposed = [
        Assignment(
            c.key,
            "West",
            "ben@x.example" if n < 2 else None,
            "only_match",
            "balanced",
            None,
            "salesforce",
            None,
        )
        for n, c in enumerate(companies)
    ]
    report = what_if(companies, current, proposed, "salesforce")
    assert report.moved == 2
    assert report.moves[("ana@x.example", "ben@x.example")] == 2
    assert report.before.by_rep["ana@x.example"].accounts == 6
    assert report.after.by_rep["ana@x.example"].accounts == 4
    assert report.after.by_rep["ben@x.example"].accounts == 4
    assert report.after.gini == 0
    assert report.before.spread == 3.0
