"""Specification of `parse_employee_count` and `parse_revenue`."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mapping.normalise import parse_employee_count, parse_revenue


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1200, 1200),
        ("1200", 1200),
        ("1,200", 1200),
        ("1200.0", 1200),
        (1200.0, 1200),
        (" 50 ", 50),
        ("1 200", 1200),
        ("123,456", 123456),
        (Decimal("75"), 75),
        ("1e3", 1000),
        (0, 0),
        (10_000_000, 10_000_000),
    ],
)
def test_employee_counts_are_read_from_numbers_and_typed_text(value: object, expected: int) -> None:
    assert parse_employee_count(value) == expected


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "abc", "50-100", "about 200", "12.5", 12.5, [1200], True, float("nan")],
)
def test_values_that_are_not_one_whole_count_give_none(value: object) -> None:
    assert parse_employee_count(value) is None


@pytest.mark.parametrize("value", [-1, "-5", -3.0])
def test_negative_employee_counts_give_none(value: object) -> None:
    assert parse_employee_count(value) is None


@pytest.mark.parametrize("value", [10_000_001, "25,000,000", 2e9, float("inf")])
def test_absurd_employee_counts_give_none(value: object) -> None:
    assert parse_employee_count(value) is None


@pytest.mark.parametrize("value", ["1.200", "2.500"])
def test_european_thousands_with_a_dot_are_ambiguous_and_give_none(value: str) -> None:
    assert parse_employee_count(value) is None
    assert parse_revenue(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1500000.0, Decimal("1500000.00")),
        (1500000, Decimal("1500000.00")),
        ("1500000", Decimal("1500000.00")),
        ("1500000.50", Decimal("1500000.50")),
        ("$1,500,000", Decimal("1500000.00")),
        ("$ 2,000.55", Decimal("2000.55")),
        ("1.5e6", Decimal("1500000.00")),
        ("€1 500 000", Decimal("1500000.00")),
        (1500000.1, Decimal("1500000.10")),
        (Decimal("99.999"), Decimal("100.00")),
        ("0", Decimal("0.00")),
        ("-0", Decimal("0.00")),
    ],
)
def test_revenue_is_read_from_numbers_and_typed_amounts(value: object, expected: Decimal) -> None:
    assert parse_revenue(value) == expected


def test_revenue_is_quantised_to_two_decimal_places() -> None:
    revenue = parse_revenue("1500000")
    assert revenue is not None
    assert revenue.as_tuple().exponent == -2


def test_half_cents_round_up() -> None:
    assert parse_revenue("2000.005") == Decimal("2000.01")
    assert parse_revenue(1.125) == Decimal("1.13")


@pytest.mark.parametrize(
    "value",
    [None, "", "abc", "1,5", "1.500.000", "(1,000)", "NaN", "Infinity", float("nan"), [1], True],
)
def test_revenue_values_that_are_not_one_amount_give_none(value: object) -> None:
    assert parse_revenue(value) is None


@pytest.mark.parametrize("value", [-1, "-1500000", -0.5])
def test_negative_revenue_gives_none(value: object) -> None:
    assert parse_revenue(value) is None


@pytest.mark.parametrize("value", ["1e15", 1e18, "1e99999999"])
def test_absurd_revenue_gives_none(value: object) -> None:
    assert parse_revenue(value) is None
