"""Reporting periods: calendar months, fiscal quarters and fiscal years as [start, end) in UTC.

A period is named as people write it:

- `2026-11`: the calendar month November 2026;
- `2026-Q4`: the fourth quarter of fiscal year 2026 (quarters count from the fiscal year's first
  month);
- `FY2027`: fiscal year 2027.

A fiscal year is named by the calendar year in which it ends. It starts in
`settings.fiscal_year_start_month` (1 to 12; 1, January, unless the territory file says
otherwise): with the default, fiscal years and quarters are calendar ones (FY2026 is 2026,
2026-Q4 is October to December 2026); with 2 (February), FY2027 runs from 1 February 2026 up to
1 February 2027 and 2027-Q1 is February to April 2026.

Every period starts at midnight UTC on the first of its month and ends where the next one
starts: a moment belongs to the period when `start <= moment < end`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

MONTH = "month"
QUARTER = "quarter"
FISCAL_YEAR = "fiscal_year"
PERIOD_KINDS = (MONTH, QUARTER, FISCAL_YEAR)
"""What `goals: {period: ...}` may name."""
_MONTHS = {MONTH: 1, QUARTER: 3, FISCAL_YEAR: 12}
"""Each kind's length in months."""
_MONTH_NAME = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER_NAME = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_FISCAL_YEAR_NAME = re.compile(r"^[Ff][Yy](\d{4})$")
PERIOD_EXAMPLES = "2026-Q4 (a quarter), 2026-11 (a month) or FY2027 (a fiscal year)"


@dataclass(frozen=True, slots=True)
class Period:
    """One month, quarter or fiscal year: its kind, its name and [start, end) in UTC."""

    kind: str
    name: str
    start: datetime
    end: datetime

    def contains(self, moment: datetime | None) -> bool:
        """The moment falls in the period (None never does)."""
        return moment is not None and self.start <= moment < self.end

    def elapsed_share(self, now: datetime) -> float:
        """How much of the period has passed at `now`: 0 before it starts, 1 once it ended."""
        if now <= self.start:
            return 0.0
        if now >= self.end:
            return 1.0
        return (now - self.start) / (self.end - self.start)

    def __str__(self) -> str:
        return self.name


def _month_start(index: int) -> datetime:
    """Midnight UTC on the first of month `index` (year * 12 + month - 1)."""
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class FiscalCalendar:
    """Periods under a fiscal year that starts in `start_month` (1 to 12)."""

    start_month: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.start_month <= 12:
            raise ValueError(f"a fiscal year starts in month 1 to 12, not {self.start_month}")

    def _year_start(self, fiscal_year: int) -> int:
        """The month index fiscal year `fiscal_year` starts at (it ends in that calendar year)."""
        offset = self.start_month - 1
        return fiscal_year * 12 + offset - (12 if offset else 0)

    def _fiscal_year_of(self, index: int) -> int:
        offset = self.start_month - 1
        return (index - offset + (12 if offset else 0)) // 12

    def _at(self, kind: str, index: int) -> Period:
        """The period of `kind` that starts at month `index` (a start the kind allows)."""
        fiscal_year = self._fiscal_year_of(index)
        if kind == MONTH:
            name = f"{index // 12:04d}-{index % 12 + 1:02d}"
        elif kind == QUARTER:
            quarter = (index - self._year_start(fiscal_year)) // 3 + 1
            name = f"{fiscal_year:04d}-Q{quarter}"
        else:
            name = f"FY{fiscal_year:04d}"
        return Period(kind, name, _month_start(index), _month_start(index + _MONTHS[kind]))

    def _start_of(self, kind: str, index: int) -> int:
        """The first month of the period of `kind` that month `index` falls in."""
        if kind == MONTH:
            return index
        first = self._year_start(self._fiscal_year_of(index))
        return first if kind == FISCAL_YEAR else first + (index - first) // 3 * 3

    def parse(self, name: str) -> Period:
        """The period a name such as 2026-Q4, 2026-11 or FY2027 gives; ValueError says what is
        wrong with any other text."""
        written = name.strip()
        if found := _MONTH_NAME.match(written):
            year, month = int(found[1]), int(found[2])
            if 1 <= month <= 12 and year >= 1:
                return self._at(MONTH, year * 12 + month - 1)
        elif found := _QUARTER_NAME.match(written):
            year, quarter = int(found[1]), int(found[2])
            if year >= 2:
                return self._at(QUARTER, self._year_start(year) + 3 * (quarter - 1))
        elif (found := _FISCAL_YEAR_NAME.match(written)) and int(found[1]) >= 2:
            return self._at(FISCAL_YEAR, self._year_start(int(found[1])))
        raise ValueError(f"{name!r} is not a period: write {PERIOD_EXAMPLES}")

    def period_of(self, kind: str, moment: datetime) -> Period:
        """The period of `kind` (month, quarter, fiscal_year) that `moment` falls in."""
        if kind not in _MONTHS:
            raise ValueError(f"{kind!r} is not a kind of period: use month, quarter or fiscal_year")
        at = moment.astimezone(UTC)
        return self._at(kind, self._start_of(kind, at.year * 12 + at.month - 1))

    def previous(self, period: Period, count: int) -> list[Period]:
        """The `count` periods of the same kind before `period`, oldest first."""
        step = _MONTHS[period.kind]
        index = period.start.year * 12 + period.start.month - 1
        return [self._at(period.kind, index - step * back) for back in range(count, 0, -1)]
