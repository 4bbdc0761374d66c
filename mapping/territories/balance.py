"""Workload balance, and the what-if of a proposed territory file; nothing here writes anything.

`balance_report` sums accounts, revenue and employees per territory (in file order, then the
accounts without one) and per rep, where a rep's accounts are those the evaluation gives them
plus those it leaves with them (holdouts, ties, unmatched accounts keep their current owner);
a business counts for the owner of its primary record (see `Assignment.owner_after`).
`placements` says where each business stands so (its territory, its owner, its size): the one
place that decides it, for the balance and for the scorecards (`sync.scorecards`).
Spread is shown two ways per measure: the ratio of the largest to the smallest rep (None, shown
as "n/a", when the smallest has none) and the Gini coefficient (0 when everyone carries the
same, towards 1 when one rep carries everything). Within a territory the spread is taken over
its eligible owner members, the reps balancing works for; overall, over every rep who owns an
account or is an eligible owner somewhere.

`what_if` evaluates the book under the current file, then under the proposed one starting from
the owners the current file leaves (so stickiness works as it would on the day the new file is
adopted), and reports which accounts would change owner, between whom, and the balance before
and after.

`balance_summary` and `what_if_summary` give both reports as plain data (JSON-ready): what
`territory-sync balance --json` prints and what the console's API and pages show, so the two
surfaces always give the same answer.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from mapping.territories.engine import Evaluation, evaluate
from mapping.territories.facts import (
    CompanyFacts,
    RecordFacts,
    RepDirectoryEntry,
    ordered_records,
)
from mapping.territories.rebalance import RebalanceOutcome, band, targets
from mapping.territories.rules import LoadedTerritories

MEASURES = ("accounts", "revenue", "employees")
MOST_CAPS = 8
"""The most move caps one trade-off compares (each is a whole evaluation of the book)."""
NO_OWNER = "(no owner)"
NO_TERRITORY = "(no territory)"


@dataclass(frozen=True, slots=True)
class Load:
    accounts: int = 0
    revenue: int = 0
    employees: int = 0

    def plus(self, revenue: int, employees: int) -> Load:
        return Load(self.accounts + 1, self.revenue + revenue, self.employees + employees)

    def measure(self, name: str) -> int:
        return int(getattr(self, name))


@dataclass(frozen=True, slots=True)
class Spread:
    max_min_ratio: float | None
    """Largest over smallest; None when the smallest is 0 (or nobody to compare)."""
    gini: float


@dataclass(frozen=True, slots=True)
class RepLoad:
    rep: str
    """An email, or "(no owner)"."""
    load: Load


@dataclass(frozen=True, slots=True)
class MemberTarget:
    """An eligible owner member's weight-proportional share of a territory's accounts, and the
    band balancing keeps them in (`settings.balancing`; None without it)."""

    email: str
    target: float
    low: int | None = None
    high: int | None = None
    by_measure: tuple[tuple[str, dict[str, float]], ...] = ()
    """With balancing: per balanced measure (accounts, revenue, employees, workload), the
    member's load, target and band as balancing left them (`Figures.shown`)."""


@dataclass(frozen=True, slots=True)
class TerritoryBalance:
    territory: str
    """A territory name, or "(no territory)"."""
    total: Load
    reps: tuple[RepLoad, ...]
    spread: dict[str, Spread]
    targets: tuple[MemberTarget, ...] = ()
    """Per eligible owner member (the reps balancing works for), by email."""


@dataclass(frozen=True, slots=True)
class BalanceReport:
    territories: tuple[TerritoryBalance, ...]
    reps: tuple[RepLoad, ...]
    spread: dict[str, Spread]
    total: Load


@dataclass(frozen=True, slots=True)
class WhatIfReport:
    accounts: int
    moved: int
    """Accounts whose owner would change."""
    changed_territory: int
    moves: tuple[tuple[str, str, int], ...]
    """(from rep, to rep, accounts), most accounts first."""
    before: BalanceReport
    after: BalanceReport
    unassigned_before: int
    unassigned_after: int
    rebalanced: RebalanceOutcome | None = None
    """What balancing did under the proposed file (None when it does not turn it on)."""


def gini(values: Sequence[int]) -> float:
    """Gini coefficient of non-negative values (0 for none, one, or all zero)."""
    ordered = sorted(values)
    total = sum(ordered)
    count = len(ordered)
    if count < 2 or total == 0:
        return 0.0
    weighted = sum((i + 1) * value for i, value in enumerate(ordered))
    return (2 * weighted) / (count * total) - (count + 1) / count


def spread_of(loads: Sequence[Load]) -> dict[str, Spread]:
    result = {}
    for name in MEASURES:
        values = [load.measure(name) for load in loads]
        smallest = min(values, default=0)
        ratio = max(values) / smallest if values and smallest > 0 else None
        result[name] = Spread(ratio, gini(values))
    return result


def _size(first: RecordFacts, second: RecordFacts | None) -> tuple[int, int]:
    revenue = first.annual_revenue
    if revenue is None and second is not None:
        revenue = second.annual_revenue
    employees = first.employees
    if employees is None and second is not None:
        employees = second.employees
    return (int(revenue) if revenue else 0, int(employees) if employees else 0)


class Placement(NamedTuple):
    """Where `evaluation` leaves one business: its territory and owner, and its size."""

    company: CompanyFacts
    territory: str
    """A territory name, or "(no territory)"."""
    owner: str
    """The owner's email (`Assignment.owner_after`), or "(no owner)"."""
    revenue: int
    employees: int


def placements(companies: Iterable[CompanyFacts], evaluation: Evaluation) -> Iterator[Placement]:
    """Each of `companies` (evaluated by `evaluation`, in the same order) where it stands."""
    primary = evaluation.rules.settings.primary_source
    for company, assignment in zip(companies, evaluation.assignments, strict=True):
        first, second = ordered_records(company, primary)
        revenue, employees = _size(first, second)
        yield Placement(
            company,
            assignment.territory or NO_TERRITORY,
            assignment.owner_after(first, second) or NO_OWNER,
            revenue,
            employees,
        )


def balance_report(companies: Iterable[CompanyFacts], evaluation: Evaluation) -> BalanceReport:
    """Balance after `evaluation` of `companies` (the same companies, in the same order)."""
    per_territory: dict[str, dict[str, Load]] = {}
    per_rep: dict[str, Load] = {}
    total = Load()
    for _, territory, owner, revenue, employees in placements(companies, evaluation):
        reps = per_territory.setdefault(territory, {})
        reps[owner] = reps.get(owner, Load()).plus(revenue, employees)
        per_rep[owner] = per_rep.get(owner, Load()).plus(revenue, employees)
        total = total.plus(revenue, employees)
    eligible_anywhere: set[str] = set()
    territories = []
    names = [*evaluation.rules.territories, *sorted(set(per_territory) - set(evaluation.pools))]
    for name in names:
        reps = per_territory.setdefault(name, {})
        eligible = [m.email for m in evaluation.member_loads(name)]
        if not reps and not eligible:
            continue
        eligible_anywhere.update(eligible)
        for email in eligible:
            reps.setdefault(email, Load())
        compared = [reps[email] for email in eligible] or [
            load for rep, load in reps.items() if rep != NO_OWNER
        ]
        sum_revenue = sum(load.revenue for load in reps.values())
        sum_employees = sum(load.employees for load in reps.values())
        territories.append(
            TerritoryBalance(
                territory=name,
                total=Load(
                    sum(load.accounts for load in reps.values()), sum_revenue, sum_employees
                ),
                reps=tuple(RepLoad(rep, reps[rep]) for rep in sorted(reps)),
                spread=spread_of(compared),
                targets=_targets(evaluation, name),
            )
        )
    for email in eligible_anywhere:
        per_rep.setdefault(email, Load())
    owners = [load for rep, load in per_rep.items() if rep != NO_OWNER]
    return BalanceReport(
        territories=tuple(territories),
        reps=tuple(RepLoad(rep, per_rep[rep]) for rep in sorted(per_rep)),
        spread=spread_of(owners),
        total=total,
    )


def _targets(evaluation: Evaluation, territory: str) -> tuple[MemberTarget, ...]:
    pool = evaluation.pools.get(territory)
    if pool is None:
        return ()
    balancing = evaluation.rules.settings.balancing
    balanced = {}
    if evaluation.rebalanced is not None:
        for balance in evaluation.rebalanced.territories:
            if balance.territory == territory:
                balanced = {m.email: m for m in balance.members}
    found = []
    for email, target in zip(pool.emails, targets(pool), strict=True):
        low, high = band(target, balancing.tolerance) if balancing is not None else (None, None)
        member = balanced.get(email)
        by_measure = (
            tuple(
                (name, {"load": shown["after"], **_band_of(shown)})
                for name, shown in ((name, f.shown()) for name, f in member.measures)
            )
            if member is not None
            else ()
        )
        found.append(MemberTarget(email, target, low, high, by_measure))
    return tuple(found)


def _band_of(shown: dict[str, float]) -> dict[str, float]:
    return {key: shown[key] for key in ("target", "low", "high")}


def owned_as_left(companies: Sequence[CompanyFacts], evaluation: Evaluation) -> list[CompanyFacts]:
    """The companies with the owners `evaluation` leaves each record (its rep in that record's
    CRM, or the owner kept)."""
    moved = []
    for company, assignment in zip(companies, evaluation.assignments, strict=True):
        if all(assignment.rep_for(record.source) is None for record in company.records):
            moved.append(company)
            continue
        records = tuple(
            replace(
                record,
                current_owner_email=assignment.rep_for(record.source) or record.current_owner_email,
            )
            for record in company.records
        )
        moved.append(CompanyFacts(company.key, records))
    return moved


def what_if(
    current_rules: LoadedTerritories,
    proposed_rules: LoadedTerritories,
    companies: Iterable[CompanyFacts],
    reps: Mapping[str, RepDirectoryEntry],
) -> WhatIfReport:
    """What adopting `proposed_rules` would change, compared with `current_rules`."""
    book = list(companies)
    before = evaluate(book, current_rules, reps)
    return _adopted(book, before, proposed_rules, reps)


def _adopted(
    book: Sequence[CompanyFacts],
    before: Evaluation,
    proposed_rules: LoadedTerritories,
    reps: Mapping[str, RepDirectoryEntry],
) -> WhatIfReport:
    settled = owned_as_left(book, before)
    after = evaluate(settled, proposed_rules, reps)
    primary_before = before.rules.settings.primary_source
    primary_after = proposed_rules.settings.primary_source
    moves: Counter[tuple[str, str]] = Counter()
    changed_territory = 0
    for old, new, company, adopted in zip(
        before.assignments, after.assignments, book, settled, strict=True
    ):
        was = old.owner_after(*ordered_records(company, primary_before))
        will = new.owner_after(*ordered_records(adopted, primary_after))
        if was != will:
            moves[(was or NO_OWNER, will or NO_OWNER)] += 1
        if old.territory != new.territory:
            changed_territory += 1
    return WhatIfReport(
        accounts=len(book),
        moved=sum(moves.values()),
        changed_territory=changed_territory,
        moves=tuple((a, b, n) for (a, b), n in sorted(moves.items(), key=lambda m: (-m[1], m[0]))),
        before=balance_report(book, before),
        after=balance_report(settled, after),
        unassigned_before=before.summary.unassigned,
        unassigned_after=after.summary.unassigned,
        rebalanced=after.rebalanced,
    )


@dataclass(frozen=True, slots=True)
class TradeOffPoint:
    """The proposed file's outcome with at most `cap` accounts moved by balancing."""

    cap: int
    report: WhatIfReport


def with_move_cap(rules: LoadedTerritories, cap: int) -> LoadedTerritories:
    """The same rules with balancing capped at `cap` moves (the file's own cap replaced)."""
    balancing = rules.settings.balancing
    if balancing is None:
        raise ValueError("the file does not turn balancing on")
    capped = copy.copy(rules)
    capped.settings = replace(
        rules.settings, balancing=replace(balancing, max_moves=cap, max_share=None)
    )
    return capped


def parse_move_caps(text: str) -> list[int]:
    """Move caps to compare, from "0, 10, 25, 50"; ValueError says what is wrong."""
    caps = []
    for part in text.split(","):
        value = part.strip()
        if not (value.isascii() and value.isdigit() and len(value) <= 10):
            raise ValueError(
                f"{value!r} is not a whole number of moves; give caps such as 0,10,25,50"
            )
        caps.append(int(value))
    if len(set(caps)) > MOST_CAPS:
        raise ValueError(f"compare at most {MOST_CAPS} move caps at once, not {len(set(caps))}")
    return sorted(set(caps))


def trade_off(
    current_rules: LoadedTerritories,
    proposed_rules: LoadedTerritories,
    companies: Iterable[CompanyFacts],
    reps: Mapping[str, RepDirectoryEntry],
    caps: Sequence[int],
) -> list[TradeOffPoint]:
    """Moves against the resulting balance: the what-if of `proposed_rules` under each move cap
    (ascending), from the same starting book."""
    book = list(companies)
    before = evaluate(book, current_rules, reps)
    return [
        TradeOffPoint(cap, _adopted(book, before, with_move_cap(proposed_rules, cap), reps))
        for cap in sorted(set(caps))
    ]


def trade_off_summary(points: Sequence[TradeOffPoint]) -> list[dict[str, Any]]:
    """One row per cap: accounts moved by balancing, how far outside tolerance the members are
    left per balanced measure (accounts; revenue or employees in whole units), and the spread of
    accounts over reps after."""
    rows = []
    for point in points:
        rebalanced, after = point.report.rebalanced, point.report.after.spread["accounts"]
        rows.append(
            {
                "max_moves": point.cap,
                "moves": rebalanced.moves if rebalanced is not None else 0,
                "outside_tolerance": (
                    dict(rebalanced.outside_after) if rebalanced is not None else None
                ),
                "owner_changes": point.report.moved,
                "spread_max_min": (
                    None if after.max_min_ratio is None else round(after.max_min_ratio, 2)
                ),
                "gini": round(after.gini, 3),
            }
        )
    return rows


def render_trade_off(points: Sequence[TradeOffPoint]) -> str:
    """The trade-off as plain text: one line per cap."""
    lines = [
        f"{'max moves':>9} {'moved':>7} {'outside tolerance':>17} {'owner changes':>13} "
        f"{'max/min':>8} {'Gini':>6}"
    ]
    for row in trade_off_summary(points):
        outside = row["outside_tolerance"]
        ratio = row["spread_max_min"]
        shown = "n/a" if outside is None else ", ".join(f"{v:,}" for v in outside.values())
        lines.append(
            f"{row['max_moves']:>9,} {row['moves']:>7,} "
            f"{shown:>17} {row['owner_changes']:>13,} "
            f"{'n/a' if ratio is None else f'{ratio:.2f}':>8} {row['gini']:>6.3f}"
        )
    return "\n".join(lines)


def _amounts(figures: Mapping[str, float]) -> str:
    """ "accounts 12, revenue 4,000": how far outside the bands, per measure."""
    return ", ".join(f"{name} {value:,}" for name, value in figures.items())


def _rows(loads: Iterable[tuple[str, Load]], key: str) -> list[dict[str, Any]]:
    """Largest book first (then by name), one row per rep or territory."""
    return [
        {key: name, **{measure: load.measure(measure) for measure in MEASURES}}
        for name, load in sorted(loads, key=lambda item: (-item[1].accounts, item[0]))
    ]


def balance_summary(report: BalanceReport) -> dict[str, Any]:
    """The report as plain data: the accounts' spread over reps (max/min, Gini), each measure's
    spread, and the rows per rep and per territory."""
    accounts = report.spread["accounts"]
    ratio = accounts.max_min_ratio
    return {
        "spread_max_min": round(ratio, 2) if ratio is not None else None,
        "gini": round(accounts.gini, 3),
        "spread": {
            name: {
                "max_min": None if spread.max_min_ratio is None else round(spread.max_min_ratio, 2),
                "gini": round(spread.gini, 3),
            }
            for name, spread in report.spread.items()
        },
        "by_rep": _rows(((rep.rep, rep.load) for rep in report.reps), "rep"),
        "by_territory": [
            {**row, "members": _members(territory)}
            for territory in sorted(
                report.territories, key=lambda t: (-t.total.accounts, t.territory)
            )
            for row in _rows([(territory.territory, territory.total)], "territory")
        ],
    }


def _members(territory: TerritoryBalance) -> list[dict[str, Any]]:
    """Each eligible owner member's load in the territory, with their target (and band)."""
    loads = {rep.rep: rep.load for rep in territory.reps}
    return [
        {
            "email": member.email,
            **{name: loads.get(member.email, Load()).measure(name) for name in MEASURES},
            "target": round(member.target, 2),
            "low": member.low,
            "high": member.high,
            **({"by_measure": dict(member.by_measure)} if member.by_measure else {}),
        }
        for member in territory.targets
    ]


def what_if_summary(report: WhatIfReport) -> dict[str, Any]:
    """The what-if as plain data: the counts, the moves (most accounts first), the balance
    before and after (as `balance_summary`)."""
    return {
        "accounts": report.accounts,
        "moved": report.moved,
        "changed_territory": report.changed_territory,
        "unassigned_before": report.unassigned_before,
        "unassigned_after": report.unassigned_after,
        "moves": [{"from": was, "to": will, "companies": n} for was, will, n in report.moves],
        "before": balance_summary(report.before),
        "after": balance_summary(report.after),
        "rebalance": (
            report.rebalanced.as_dict(members=True) if report.rebalanced is not None else None
        ),
    }


def _rebalanced_members(outcome: RebalanceOutcome, top: int) -> list[str]:
    """Per territory balancing changed (most moves first, at most `top`): each member before and
    after against their target and band, the moves in and out, and the skill match."""
    changed = sorted(
        (t for t in outcome.territories if any(m.moved_in for m in t.members)),
        key=lambda t: (-sum(m.moved_in for m in t.members), t.territory),
    )
    if not changed:
        return []
    lines = ["Members of the territories balancing changes (before -> after, target and band):"]
    for territory in changed[:top]:
        lines.append(f"  {territory.territory}:")
        for member in territory.members:
            figures = "; ".join(
                f"{s['before']:,} -> {s['after']:,} {name} (target {round(s['target']):,}, "
                f"{s['low']:,}-{s['high']:,})"
                for name, s in ((name, f.shown()) for name, f in member.measures)
            )
            skill = (
                ""
                if member.skill_before is None and member.skill_after is None
                else f"; skill match {member.skill_before} -> {member.skill_after}"
            )
            lines.append(
                f"    {member.email}: {figures}; in {member.moved_in:,}, "
                f"out {member.moved_out:,}{skill}"
            )
    if len(changed) > top:
        lines.append(f"  ... {len(changed) - top} more territories")
    return lines


def _ratio(spread: Spread) -> str:
    return "n/a" if spread.max_min_ratio is None else f"{spread.max_min_ratio:.2f}"


def _spread_line(spread: Mapping[str, Spread]) -> str:
    return "; ".join(
        f"{name}: max/min {_ratio(spread[name])}, Gini {spread[name].gini:.3f}" for name in MEASURES
    )


def _load_columns(load: Load) -> str:
    return f"{load.accounts:>9,} {load.revenue:>18,} {load.employees:>12,}"


def render_balance_report(report: BalanceReport) -> str:
    """The report as plain text: one block per territory, then per rep overall."""
    header = f"{'':<44} {'accounts':>9} {'revenue':>18} {'employees':>12}  target"
    lines = [header]
    for territory in report.territories:
        lines.append(f"{territory.territory:<44} {_load_columns(territory.total)}")
        targets = {member.email: member for member in territory.targets}
        for rep in territory.reps:
            line = f"  {rep.rep:<42} {_load_columns(rep.load)}"
            member = targets.get(rep.rep)
            if member is not None:
                line += f"  {member.target:,.1f}"
                if member.low is not None:
                    line += f" ({member.low:,}-{member.high:,})"
            lines.append(line)
        lines.append(f"  spread: {_spread_line(territory.spread)}")
    lines.append("")
    lines.append("Per rep, all territories:")
    for rep in report.reps:
        lines.append(f"  {rep.rep:<42} {_load_columns(rep.load)}")
    lines.append(f"{'total':<44} {_load_columns(report.total)}")
    lines.append(f"spread: {_spread_line(report.spread)}")
    return "\n".join(lines)


def render_what_if(report: WhatIfReport, *, top: int = 20) -> str:
    """The what-if as plain text: moves between reps, then the overall balance before and after."""
    lines = [
        f"{report.moved:,} of {report.accounts:,} accounts would change owner; "
        f"{report.changed_territory:,} would change territory.",
        f"Unassigned accounts: {report.unassigned_before:,} before, "
        f"{report.unassigned_after:,} after.",
    ]
    if report.moves:
        lines.append("Moves (from -> to: accounts):")
        for was, will, count in report.moves[:top]:
            lines.append(f"  {was} -> {will}: {count:,}")
        if len(report.moves) > top:
            rest = sum(count for _, _, count in report.moves[top:])
            lines.append(f"  ... {len(report.moves) - top} more pairs, {rest:,} accounts")
    rebalanced = report.rebalanced
    if rebalanced is not None:
        proven = "optimal" if rebalanced.optimal else f"at least {rebalanced.moves_lower_bound:,}"
        lines.append(
            f"Balancing moves {rebalanced.moves:,} accounts off their owner ({proven}); "
            f"outside tolerance: {_amounts(rebalanced.outside_before)} before, "
            f"{_amounts(rebalanced.outside_after)} after."
        )
        lines += _rebalanced_members(rebalanced, top)
    lines.append(f"Balance before: {_spread_line(report.before.spread)}")
    lines.append(f"Balance after:  {_spread_line(report.after.spread)}")
    return "\n".join(lines)
