"""Balance per territory and per rep, its spread, and the what-if of a proposed file."""

from __future__ import annotations

import pytest

from mapping.territories import (
    balance_report,
    evaluate,
    render_balance_report,
    render_what_if,
    what_if,
)
from mapping.territories.balance import MOST_CAPS, Load, gini, parse_move_caps
from tests.mapping.territories.support import company, directory, email, load, sf

CURRENT = """
territories:
  - name: West
    criteria: {country: [US]}
    members:
      - {email: ana@acme-revenue.example}
      - {email: bo@acme-revenue.example}
"""
PROPOSED = """
territories:
  - name: West
    criteria: {country: [US]}
    members:
      - {email: ana@acme-revenue.example}
      - {email: cy@acme-revenue.example}
"""
THREE = """
territories:
  - name: West
    criteria: {country: [US]}
    members:
      - {email: ana@acme-revenue.example}
      - {email: bo@acme-revenue.example}
      - {email: cy@acme-revenue.example}
"""
REPS = directory("ana", "bo", "cy")


def test_gini_is_zero_for_equal_loads_and_grows_with_concentration() -> None:
    assert gini([5, 5, 5]) == 0.0
    assert gini([0, 0, 10]) == pytest.approx(2 / 3)
    assert gini([]) == 0.0


def test_the_report_sums_accounts_revenue_and_employees_per_rep() -> None:
    book = [
        company("a", sf("001A", country="US", owner="ana", annual_revenue=100, employees=10)),
        company("b", sf("001B", country="US", owner="ana", annual_revenue=300, employees=30)),
        company("c", sf("001C", country="US", owner="bo", annual_revenue=50, employees=5)),
    ]
    report = balance_report(book, evaluate(book, load(CURRENT), REPS))
    assert {r.rep: r.load for r in report.reps} == {
        email("ana"): Load(2, 400, 40),
        email("bo"): Load(1, 50, 5),
    }
    west = report.territories[0]
    assert (west.territory, west.total) == ("West", Load(3, 450, 45))
    assert west.spread["accounts"].max_min_ratio == 2.0
    assert west.spread["revenue"].max_min_ratio == 8.0


def test_a_member_without_accounts_makes_the_ratio_undefined() -> None:
    book = [company("a", sf("001A", country="US", owner="ana"))]
    report = balance_report(book, evaluate(book, load(THREE), REPS))
    accounts = report.territories[0].spread["accounts"]
    assert accounts.max_min_ratio is None
    assert accounts.gini == pytest.approx(2 / 3)
    assert "max/min n/a" in render_balance_report(report)


def test_accounts_left_with_their_owner_count_for_that_owner() -> None:
    book = [company("a", sf("001A", country="DE", owner="dee@example.com"))]
    report = balance_report(book, evaluate(book, load(CURRENT), REPS))
    assert [(t.territory, [r.rep for r in t.reps]) for t in report.territories] == [
        ("West", [email("ana"), email("bo")]),
        ("(no territory)", ["dee@example.com"]),
    ]


def test_what_if_counts_the_accounts_that_would_move_and_between_whom() -> None:
    book = [company(f"k{n}", sf(f"001{n}", country="US")) for n in range(6)]
    report = what_if(load(CURRENT), load(PROPOSED), book, REPS)
    assert (report.accounts, report.moved, report.changed_territory) == (6, 3, 0)
    assert report.moves == ((email("bo"), email("cy"), 3),)


def test_adding_a_member_moves_nothing_because_owners_are_sticky() -> None:
    book = [company(f"k{n}", sf(f"001{n}", country="US")) for n in range(6)]
    assert what_if(load(CURRENT), load(THREE), book, REPS).moved == 0


def test_what_if_reports_balance_before_and_after() -> None:
    book = [company(f"k{n}", sf(f"001{n}", country="US")) for n in range(6)]
    report = what_if(load(CURRENT), load(PROPOSED), book, REPS)
    assert {r.rep: r.load.accounts for r in report.before.reps} == {email("ana"): 3, email("bo"): 3}
    assert {r.rep: r.load.accounts for r in report.after.reps} == {email("ana"): 3, email("cy"): 3}
    text = render_what_if(report)
    assert text.startswith("3 of 6 accounts would change owner; 0 would change territory.")
    assert "  bo@acme-revenue.example -> cy@acme-revenue.example: 3" in text


def test_what_if_writes_nothing_into_the_companies() -> None:
    book = [company(f"k{n}", sf(f"001{n}", country="US")) for n in range(3)]
    what_if(load(CURRENT), load(PROPOSED), book, REPS)
    assert {c.records[0].current_owner_email for c in book} == {None}


def test_the_same_file_moves_nothing() -> None:
    book = [company(f"k{n}", sf(f"001{n}", country="US", owner="ana")) for n in range(3)]
    report = what_if(load(CURRENT), load(CURRENT), book, REPS)
    assert (report.moved, report.moves) == (0, ())


def test_move_caps_are_read_in_order_once_each() -> None:
    assert parse_move_caps(" 50, 0,10 ,10") == [0, 10, 50]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10,-5", "'-5' is not a whole number of moves"),
        ("10,,20", "'' is not a whole number of moves"),
        ("1e3", "'1e3' is not a whole number of moves"),
        (",".join(str(n) for n in range(MOST_CAPS + 1)), f"at most {MOST_CAPS} move caps"),
    ],
)
def test_move_caps_that_cannot_be_read_say_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_move_caps(text)
