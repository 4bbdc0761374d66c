"""Reporting periods: months, fiscal quarters and fiscal years, named by the year they end in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mapping.territories.periods import FISCAL_YEAR, MONTH, QUARTER, FiscalCalendar


def at(year: int, month: int, day: int = 1, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def test_with_the_default_start_month_quarters_and_years_are_calendar_ones() -> None:
    calendar = FiscalCalendar()

    quarter = calendar.parse("2026-Q4")
    year = calendar.parse("FY2026")

    assert (quarter.start, quarter.end) == (at(2026, 10), at(2027, 1))
    assert (year.start, year.end) == (at(2026, 1), at(2027, 1))


def test_a_month_is_the_calendar_month_whatever_the_fiscal_year() -> None:
    month = FiscalCalendar(4).parse("2026-11")

    assert (month.kind, month.start, month.end) == (MONTH, at(2026, 11), at(2026, 12))


def test_a_fiscal_year_is_named_by_the_calendar_year_it_ends_in() -> None:
    calendar = FiscalCalendar(2)

    year = calendar.parse("FY2027")

    assert (year.start, year.end) == (at(2026, 2), at(2027, 2))


def test_quarters_count_from_the_fiscal_years_first_month() -> None:
    calendar = FiscalCalendar(2)

    first, last = calendar.parse("2027-Q1"), calendar.parse("2027-Q4")

    assert (first.start, first.end) == (at(2026, 2), at(2026, 5))
    assert (last.start, last.end) == (at(2026, 11), at(2027, 2))


def test_the_current_period_of_a_moment_honours_the_start_month() -> None:
    calendar = FiscalCalendar(4)
    moment = at(2026, 2, 14, 9)

    assert calendar.period_of(QUARTER, moment).name == "2026-Q4"
    assert calendar.period_of(FISCAL_YEAR, moment).name == "FY2026"
    assert calendar.period_of(MONTH, moment).name == "2026-02"
    assert calendar.period_of(QUARTER, at(2026, 4)).name == "2027-Q1"


def test_a_period_holds_its_start_and_not_its_end() -> None:
    quarter = FiscalCalendar().parse("2026-Q4")

    assert quarter.contains(at(2026, 10))
    assert quarter.contains(at(2026, 12, 31, 23))
    assert not quarter.contains(at(2027, 1))
    assert not quarter.contains(None)


def test_the_previous_periods_come_oldest_first_across_fiscal_years() -> None:
    calendar = FiscalCalendar(2)

    names = [p.name for p in calendar.previous(calendar.parse("2027-Q2"), 3)]

    assert names == ["2026-Q3", "2026-Q4", "2027-Q1"]
    assert [p.name for p in calendar.previous(calendar.parse("2026-01"), 2)] == [
        "2025-11",
        "2025-12",
    ]


def test_the_elapsed_share_says_how_far_into_the_period_a_moment_is() -> None:
    month = FiscalCalendar().parse("2026-11")

    assert month.elapsed_share(at(2026, 10)) == 0
    assert month.elapsed_share(at(2026, 11, 16)) == pytest.approx(0.5)
    assert month.elapsed_share(at(2026, 12, 2)) == 1


@pytest.mark.parametrize("name", ["2026-13", "2026-Q5", "Q4-2026", "FY26", "next quarter", ""])
def test_a_name_that_is_no_period_says_how_to_write_one(name: str) -> None:
    with pytest.raises(ValueError, match=r"2026-Q4 \(a quarter\), 2026-11 \(a month\)"):
        FiscalCalendar().parse(name)
