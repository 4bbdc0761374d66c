"""Balance reports: how fairly accounts, revenue and employees are spread across reps and
territories, now and under a proposed territory file (the what-if). Pure: it takes companies
and the engine's assignments, and never writes anything.

Spread is the ratio of the largest to the smallest rep book (accounts); the Gini coefficient is 0
when every rep holds the same number of accounts and approaches 1 when one rep holds them all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from mapping.territories.assignment import Assignment
from mapping.territories.facts import CompanyFacts, current_owner, ordered_records

UNOWNED = "(no owner)"


@dataclass
class Load:
    accounts: int = 0
    revenue: Decimal = Decimal(0)
    employees: int = 0

    def add(self, revenue: Decimal, employees: int) -> None:
        self.accounts += 1
        self.revenue += revenue
        self.employees += employees


@dataclass
class BalanceReport:
    by_rep: dict[str, Load] = field(default_factory=dict)
    by_territory: dict[str, Load] = field(default_factory=dict)

    @property
    def spread(self) -> float | None:
        counts = [load.accounts for rep, load in self.by_rep.items() if rep != UNOWNED]
        if not counts or min(counts) == 0:
            return None
        return max(counts) / min(counts)

    @property
    def gini(self) -> float:
        return gini([load.accounts for rep, load in self.by_rep.items() if rep != UNOWNED])


@dataclass
class WhatIfReport:
    before: BalanceReport
    after: BalanceReport
    moves: Counter[tuple[str, str]]
    """(from rep, to rep) -> number of companies that would move."""

    @property
    def moved(self) -> int:
        return sum(self.moves.values())


def gini(values: Sequence[int | float]) -> float:
    """The Gini coefficient of non-negative values (0: perfectly even)."""
    ordered = sorted(values)
    total = sum(ordered)
    n = len(ordered)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((index + 1) * value for index, value in enumerate(ordered))
    return (2 * weighted) / (n * total) - (n + 1) / n


def _size(company: CompanyFacts, primary_source: str) -> tuple[Decimal, int]:
    first, second = ordered_records(company, primary_source)
    revenue = first.annual_revenue
    if revenue is None and second is not None:
        revenue = second.annual_revenue
    employees = first.employees
    if employees is None and second is not None:
        employees = second.employees
    return Decimal(str(revenue or 0)), int(employees or 0)


def owners_after(
    companies: Iterable[CompanyFacts], assignments: Iterable[Assignment], primary_source: str
) -> dict[str, tuple[str, str]]:
    """Per company key: (territory or "(none)", owner after applying the assignments: the
    primary record's rep, or the owner it keeps)."""
    by_key = {a.key: a for a in assignments}
    result: dict[str, tuple[str, str]] = {}
    for company in companies:
        first, second = ordered_records(company, primary_source)
        assignment = by_key.get(company.key)
        territory = (assignment.territory if assignment else None) or "(none)"
        owner = assignment.owner_after(first, second) if assignment else None
        result[company.key] = (territory, owner or current_owner(first, second) or UNOWNED)
    return result


def balance_report(
    companies: Sequence[CompanyFacts],
    placement: Mapping[str, tuple[str, str]],
    primary_source: str,
) -> BalanceReport:
    report = BalanceReport()
    for company in companies:
        territory, owner = placement[company.key]
        revenue, employees = _size(company, primary_source)
        report.by_rep.setdefault(owner, Load()).add(revenue, employees)
        report.by_territory.setdefault(territory, Load()).add(revenue, employees)
    return report


def current_placement(
    companies: Iterable[CompanyFacts], assignments: Iterable[Assignment], primary_source: str
) -> dict[str, tuple[str, str]]:
    """Per company: its territory under the rules, and the owner it has today."""
    by_key = {a.key: a for a in assignments}
    placement = {}
    for company in companies:
        first, second = ordered_records(company, primary_source)
        assignment = by_key.get(company.key)
        territory = (assignment.territory if assignment else None) or "(none)"
        placement[company.key] = (territory, current_owner(first, second) or UNOWNED)
    return placement


def what_if(
    companies: Sequence[CompanyFacts],
    current: Sequence[Assignment],
    proposed: Sequence[Assignment],
    primary_source: str,
) -> WhatIfReport:
    """Balance now (current owners) and after the proposed file's assignments were applied."""
    before = current_placement(companies, current, primary_source)
    after = owners_after(companies, proposed, primary_source)
    moves: Counter[tuple[str, str]] = Counter()
    for key, (_, owner) in after.items():
        if owner != before[key][1]:
            moves[(before[key][1], owner)] += 1
    return WhatIfReport(
        before=balance_report(companies, before, primary_source),
        after=balance_report(companies, after, primary_source),
        moves=moves,
    )
