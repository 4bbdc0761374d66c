"""Scorecards: each territory's, and each owner member's, goals against what they reached.

The goals come from the territory file (`mapping.territories.goals`), one kind of period per
territory; without `--period` a territory is scored for its current period. Which accounts are
a territory's is what `territory-sync balance` says: the territory the evaluation of the stored
book places each business in, with the owner it leaves it (`balance.placements` over
`sync.evaluate.evaluate_store`); a parent territory has its own accounts, not its children's.
A member's figures are the territory's accounts they own and the opportunities on the
territory's accounts they own (an opportunity's own owner, who may not own its account).

- `bookings`: the amount of won opportunities whose close date falls in the period;
- `pipeline_created`: the amount of opportunities created in the period (whatever became of them);
- `open_pipeline_coverage`: the amount of open opportunities whose close date falls in the
  period, over the quota left (the bookings goal less the bookings); none once the quota is met,
  or without a bookings goal;
- `accounts`: the accounts owned now (a business in both CRMs counts once), as balance counts;
- `accounts_with_open_opportunity`: the share of those accounts with an open opportunity.

Amounts are converted to the reporting currency (`Reporting.convert`); an amount in a currency
without a rate is left out and counted in `Scorecard.warnings`, never guessed. An opportunity
without an amount counts 0. Attainment is actual over goal.

The last three are read as things stand: for a period that has ended they come from its latest
snapshot (none without one). The trend is the attainment of the `TREND_PERIODS` periods before,
from their latest snapshots; `change` is the difference to the latest snapshot taken at least
`CHANGE_DAYS` days ago. A run that wrote stores a snapshot of every territory's current period
(`snapshot_after_run`), so the trend builds up run by run.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, false, or_, select

from mapping.territories.balance import BalanceReport, balance_report, placements
from mapping.territories.goals import (
    ACCOUNTS,
    ACCOUNTS_WITH_OPEN_OPPORTUNITY,
    AMOUNT_METRICS,
    BOOKINGS,
    OPEN_PIPELINE_COVERAGE,
    PIPELINE_CREATED,
    POINT_IN_TIME_METRICS,
    Goals,
    Reporting,
    TerritoryGoals,
)
from mapping.territories.periods import Period
from mapping.territories.rules import LoadedTerritories
from sync.alerts import record_below_goal_pace
from sync.evaluate import StoreEvaluation, evaluate_store
from sync.scorecard_snapshots import (
    SnapshotFigure,
    latest_snapshot,
    snapshot_history,
    write_snapshot,
)
from sync.store.database import Database
from sync.store.related import OPPORTUNITIES
from territory_sync.errors import ConfigurationError
from territory_sync.logs import log_event
from territory_sync.settings import Settings

TREND_PERIODS = 4
"""Previous periods a scorecard shows the attainment of."""
CHANGE_DAYS = 7
"""`change` compares with the latest snapshot at least this many days old."""
_CENT = Decimal("0.01")
_SHARE = Decimal("0.0001")
_ZERO = Decimal(0)
Key = tuple[str, str | None]
"""(territory, rep email or None for the territory itself)."""

__all__ = [
    "CHANGE_DAYS",
    "TREND_PERIODS",
    "Figure",
    "Scorecard",
    "ScorecardRow",
    "SnapshotFigure",
    "build_scorecard",
    "latest_snapshot",
    "scorecard_rows",
    "scorecard_summary",
    "snapshot_after_run",
    "snapshot_history",
]


@dataclass(frozen=True, slots=True)
class Figure:
    """One metric of one scorecard row."""

    metric: str
    goal: Decimal | None
    """None where the file sets no goal for it (the actual is still shown)."""
    actual: Decimal | None
    """None where it cannot be told (see the module's docstring)."""
    currency: str | None
    """The reporting currency for amounts; None for counts, shares and ratios."""
    trend: tuple[tuple[str, float | None], ...] = ()
    """(period, attainment) for the previous periods, oldest first, from their snapshots."""
    change: Decimal | None = None
    """The actual less that of the latest snapshot at least `CHANGE_DAYS` days old."""

    @property
    def attainment(self) -> float | None:
        """Actual over goal; None without a goal above 0 or an actual."""
        if self.goal is None or self.actual is None or self.goal <= 0:
            return None
        return float(self.actual / self.goal)


@dataclass(frozen=True, slots=True)
class ScorecardRow:
    territory: str
    rep: str | None
    """An owner member's email; None for the territory's own row."""
    period: Period
    figures: tuple[Figure, ...]
    accounts: int
    """The accounts the territory has (or the member owns in it), as balance counts them."""
    share: float | None
    """The member's share of the territory's accounts (None for the territory's row)."""


@dataclass
class Scorecard:
    rows: list[ScorecardRow]
    currency: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Tally:
    bookings: Decimal = _ZERO
    pipeline_created: Decimal = _ZERO
    open_pipeline: Decimal = _ZERO
    with_open: int = 0


@dataclass
class _Actuals:
    """What the book holds now for each (territory, rep), over the scored periods."""

    tallies: defaultdict[Key, _Tally]
    balance: BalanceReport
    left_out: Counter[str]
    """Opportunities left out per currency without a rate."""
    counts: dict[Key, int] = field(init=False)
    """Accounts per territory and per (territory, owner), from the balance."""

    def __post_init__(self) -> None:
        self.counts = {}
        for entry in self.balance.territories:
            self.counts[(entry.territory, None)] = entry.total.accounts
            for rep in entry.reps:
                self.counts[(entry.territory, rep.rep)] = rep.load.accounts

    def accounts(self, territory: str, rep: str | None) -> int:
        return self.counts.get((territory, rep), 0)


def _opportunities(database: Database, periods: Sequence[Period]) -> Iterator[Any]:
    """The live opportunities a scorecard of `periods` reads: open ones (for the accounts with
    one) and those closed or created within the periods."""
    table = OPPORTUNITIES
    start, end = min(p.start for p in periods), max(p.end for p in periods)
    query = select(
        table.c.source,
        table.c.account_external_id,
        table.c.owner_id,
        table.c.amount,
        table.c.currency,
        table.c.is_closed,
        table.c.is_won,
        table.c.close_date,
        table.c.created_at,
    ).where(
        table.c.deleted.is_(False),
        table.c.account_external_id.is_not(None),
        or_(
            table.c.is_closed.is_(false()),
            and_(table.c.close_date >= start, table.c.close_date < end),
            and_(table.c.created_at >= start, table.c.created_at < end),
        ),
    )
    with database.engine.connect() as connection:
        yield from connection.execution_options(yield_per=5000).execute(query)


def _actuals(
    evaluated: StoreEvaluation, database: Database, periods: Mapping[str, Period]
) -> _Actuals:
    """Tally the territories of `periods` (territory -> the period it is scored for)."""
    book, evaluation = evaluated.book.companies, evaluated.evaluation
    reporting = evaluated.rules.settings.goals.reporting
    place: dict[tuple[str, str], int] = {}
    """Each record of a scored territory -> its business's number."""
    businesses: list[tuple[str, str]] = []
    """Business number -> (territory, owner)."""
    for placement in placements(book, evaluation):
        if placement.territory not in periods:
            continue
        for record in placement.company.records:
            place[(record.source, record.external_id)] = len(businesses)
        businesses.append((placement.territory, placement.owner))
    tallies: defaultdict[Key, _Tally] = defaultdict(_Tally)
    left_out: Counter[str] = Counter()
    with_open: set[int] = set()
    for row in _opportunities(database, list(periods.values())) if periods else ():
        number = place.get((row.source, row.account_external_id))
        if number is None:
            continue
        territory = businesses[number][0]
        period = periods[territory]
        if not row.is_closed:
            with_open.add(number)
        won = row.is_closed and row.is_won and period.contains(row.close_date)
        created = period.contains(row.created_at)
        open_in_period = not row.is_closed and period.contains(row.close_date)
        if not (won or created or open_in_period):
            continue
        amount = _in_reporting(reporting, row.amount, row.currency, left_out)
        if amount is None:
            continue
        owner = evaluated.reps.email_of(row.source, row.owner_id)
        for key in ((territory, None), (territory, owner)) if owner else ((territory, None),):
            tally = tallies[key]
            tally.bookings += amount if won else _ZERO
            tally.pipeline_created += amount if created else _ZERO
            tally.open_pipeline += amount if open_in_period else _ZERO
    for number in with_open:
        territory, owner = businesses[number]
        tallies[(territory, None)].with_open += 1
        tallies[(territory, owner)].with_open += 1
    return _Actuals(tallies, balance_report(book, evaluation), left_out)


def _in_reporting(
    reporting: Reporting, amount: Decimal | None, currency: str | None, left_out: Counter[str]
) -> Decimal | None:
    if amount is None:
        return _ZERO
    converted = reporting.convert(Decimal(amount), currency)
    if converted is None:
        left_out[reporting.currency_of(currency)] += 1
    return converted


def _actual(metric: str, goals: TerritoryGoals, key: Key, actuals: _Actuals) -> Decimal | None:
    tally = actuals.tallies.get(key) or _Tally()
    if metric == BOOKINGS:
        return tally.bookings.quantize(_CENT)
    if metric == PIPELINE_CREATED:
        return tally.pipeline_created.quantize(_CENT)
    accounts = actuals.accounts(*key)
    if metric == ACCOUNTS:
        return Decimal(accounts)
    if metric == ACCOUNTS_WITH_OPEN_OPPORTUNITY:
        return (Decimal(tally.with_open) / accounts).quantize(_SHARE) if accounts else None
    assert metric == OPEN_PIPELINE_COVERAGE, metric
    quota = goals.targets_of(key[1]).get(BOOKINGS)
    if quota is None or quota - tally.bookings <= 0:
        return None  # no quota to cover, or none left
    return (tally.open_pipeline / (quota - tally.bookings)).quantize(_CENT)


def _live_rows(
    rules: LoadedTerritories, actuals: _Actuals, periods: Mapping[str, Period]
) -> list[ScorecardRow]:
    """Each scored territory's row, then one per owner member, with the actuals of now."""
    goals = rules.settings.goals
    currency = goals.reporting.currency
    rows = []
    for name, period in periods.items():
        territory_goals = goals.territories[name]
        whole = actuals.accounts(name, None)
        members = [m.email for m in rules.territories[name].owners]
        for rep in (None, *members):
            key = (name, rep)
            targets = territory_goals.targets_of(rep)
            figures = tuple(
                Figure(
                    metric,
                    targets.get(metric),
                    _actual(metric, territory_goals, key, actuals),
                    currency if metric in AMOUNT_METRICS else None,
                )
                for metric in territory_goals.metrics
            )
            accounts = actuals.accounts(name, rep)
            share = None if rep is None else (accounts / whole if whole else 0.0)
            rows.append(ScorecardRow(name, rep, period, figures, accounts, share))
    return rows


def _warnings(actuals: _Actuals, reporting: Reporting) -> list[str]:
    return [
        f"{count:,} {'opportunity' if count == 1 else 'opportunities'} in {code} "
        f"{'was' if count == 1 else 'were'} left out: settings.currency_rates has no rate for "
        f"{code}; add one ({code}: RATE, where 1 {code} = RATE {reporting.currency})"
        for code, count in sorted(actuals.left_out.items())
    ]


def _chosen_periods(
    goals: Goals, requested: str | None, territory: str | None, now: datetime, source: str
) -> tuple[dict[str, Period], list[str]]:
    """The period each territory is scored for, and why a territory was left out."""
    calendar = goals.reporting.calendar
    if territory is not None and territory not in goals.territories:
        raise ConfigurationError(
            f"territory {territory!r} has no goals in {source}",
            allowed=", ".join(goals.territories),
        )
    wanted = None
    if requested is not None:
        try:
            wanted = calendar.parse(requested)
        except ValueError as error:
            raise ConfigurationError(str(error)) from None
    periods, warnings = {}, []
    for name, territory_goals in goals.territories.items():
        if territory is not None and name != territory:
            continue
        kind = territory_goals.period
        if wanted is not None and wanted.kind != kind:
            current = calendar.period_of(kind, now)
            warnings.append(
                f"{name} is left out: its goals are per {kind}, and {wanted} is a "
                f"{wanted.kind.replace('_', ' ')} (ask for a {kind}, such as {current})"
            )
            continue
        periods[name] = wanted or calendar.period_of(kind, now)
    if not periods:
        raise ConfigurationError(
            f"no territory has goals per {wanted.kind if wanted else 'period'}: "
            + "; ".join(warnings)
        )
    return periods, warnings


ByRow = dict[tuple[str | None, str], SnapshotFigure]
"""Stored figures by (rep, metric)."""


def _by_row(figures: Sequence[SnapshotFigure]) -> ByRow:
    return {(figure.rep, figure.metric): figure for figure in figures}


def _with_history(row: ScorecardRow, now: datetime, history: _History) -> ScorecardRow:
    """The row with its trend, its change since a week ago and, for a period that has ended,
    its point-in-time figures from the period's latest snapshot."""
    ended = row.period.end <= now
    last = history.last(row.territory, row.period) if ended else {}
    before = history.week_ago(row.territory, row.period)
    previous = history.previous(row.territory, row.period)
    figures = []
    for figure in row.figures:
        actual = figure.actual
        if ended and figure.metric in POINT_IN_TIME_METRICS:
            stored = last.get((row.rep, figure.metric))
            actual = None if stored is None else stored.actual
        then = before.get((row.rep, figure.metric))
        trend = tuple(
            (period, found.attainment if (found := shown.get((row.rep, figure.metric))) else None)
            for period, shown in previous
        )
        change = None if then is None or actual is None else actual - then.actual
        figures.append(Figure(figure.metric, figure.goal, actual, figure.currency, trend, change))
    return ScorecardRow(row.territory, row.rep, row.period, tuple(figures), row.accounts, row.share)


@dataclass
class _History:
    """The snapshots a scorecard reads, each read once: per territory and period, its latest
    snapshot (`last`), the latest at least `CHANGE_DAYS` old (`week_ago`), and those of the
    periods before (`previous`)."""

    database: Database
    calendar_previous: Callable[[Period, int], list[Period]]
    now: datetime
    _read: dict[tuple[str, str, str], Any] = field(default_factory=dict)

    def _once(self, what: str, territory: str, period: Period, read: Callable[[], Any]) -> Any:
        key = (what, territory, period.name)
        if key not in self._read:
            self._read[key] = read()
        return self._read[key]

    def last(self, territory: str, period: Period) -> ByRow:
        found: ByRow = self._once(
            "last",
            territory,
            period,
            lambda: _by_row(latest_snapshot(self.database, period.name, territory=territory)),
        )
        return found

    def week_ago(self, territory: str, period: Period) -> ByRow:
        before = self.now - timedelta(days=CHANGE_DAYS)
        found: ByRow = self._once(
            "week_ago",
            territory,
            period,
            lambda: _by_row(
                latest_snapshot(
                    self.database, period.name, territory=territory, taken_before=before
                )
            ),
        )
        return found

    def previous(self, territory: str, period: Period) -> list[tuple[str, ByRow]]:
        def read() -> list[tuple[str, ByRow]]:
            names = [p.name for p in self.calendar_previous(period, TREND_PERIODS)]
            found = snapshot_history(self.database, territory, names)
            return [(name, _by_row(found[name])) for name in names]

        shown: list[tuple[str, ByRow]] = self._once("previous", territory, period, read)
        return shown


def build_scorecard(
    settings: Settings,
    database: Database,
    *,
    period: str | None = None,
    territory: str | None = None,
    rep: str | None = None,
    now: datetime | None = None,
    evaluated: StoreEvaluation | None = None,
) -> Scorecard:
    """The scorecard of every territory with goals (or `territory`, or the rows of owner member
    `rep`), for `period` (2026-Q4, 2026-11, FY2027; territories whose goals are per another
    kind of period are left out, with a warning) or each territory's current period. Raises
    ConfigurationError for a file without goals, an unknown territory or rep, a bad period."""
    now = now or datetime.now(UTC)
    evaluated = evaluated or evaluate_store(settings, database)
    rules = evaluated.rules
    goals = rules.settings.goals
    if not goals:
        raise ConfigurationError(
            f"{rules.source_name} sets no goals: add goals: {{period: quarter, bookings: ...}} "
            "to a territory (see README, Goals and scorecards)"
        )
    periods, warnings = _chosen_periods(goals, period, territory, now, rules.source_name)
    actuals = _actuals(evaluated, database, periods)
    rows = _live_rows(rules, actuals, periods)
    if rep is not None:
        wanted = rep.strip().lower()
        rows = [row for row in rows if row.rep == wanted]
        if not rows:
            members = sorted({m.email for t in periods for m in rules.territories[t].owners})
            raise ConfigurationError(
                f"{wanted} is no owner member of a territory with goals scored here",
                allowed=", ".join(members) or "none",
            )
    history = _History(database, goals.reporting.calendar.previous, now)
    rows = [_with_history(row, now, history) for row in rows]
    warnings += _warnings(actuals, goals.reporting)
    return Scorecard(rows, goals.reporting.currency, warnings)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def scorecard_rows(card: Scorecard) -> list[dict[str, Any]]:
    """The scorecard as plain data, one row per (territory, rep, metric): what the command
    line prints and the console shows."""
    rows = []
    for row in card.rows:
        for figure in row.figures:
            rows.append(
                {
                    "territory": row.territory,
                    "rep": row.rep,
                    "period": row.period.name,
                    "metric": figure.metric,
                    "goal": figure.goal,
                    "actual": figure.actual,
                    "currency": figure.currency,
                    "attainment_percent": _percent(figure.attainment),
                    "trend": [
                        {"period": name, "attainment_percent": _percent(value)}
                        for name, value in figure.trend
                    ],
                    "change": figure.change,
                    "accounts": row.accounts,
                    "share_percent": _percent(row.share),
                }
            )
    return rows


def scorecard_summary(card: Scorecard) -> dict[str, Any]:
    """The scorecard as JSON-ready data: `territory-sync scorecard --format json`, and what the
    console's page shows."""
    return {"currency": card.currency, "rows": scorecard_rows(card), "warnings": card.warnings}


# --- snapshots after a run ---------------------------------------------------------------------


def record_snapshot(
    settings: Settings,
    database: Database,
    run_id: int | None,
    rules: LoadedTerritories,
    *,
    now: datetime | None = None,
) -> int:
    """Store the current period's figures of every territory with goals (its row and its owner
    members'); returns the rows stored (0 for a file without goals)."""
    goals = rules.settings.goals
    if not goals:
        return 0
    now = now or datetime.now(UTC)
    evaluated = evaluate_store(settings, database, rules=rules)
    calendar = goals.reporting.calendar
    periods = {name: calendar.period_of(g.period, now) for name, g in goals.territories.items()}
    actuals = _actuals(evaluated, database, periods)
    rows = _live_rows(rules, actuals, periods)
    _alert_goal_pace(settings, database, rows, now, run_id)
    figures = [
        SnapshotFigure(
            row.period.name,
            row.territory,
            row.rep,
            figure.metric,
            figure.goal,
            figure.actual,
            figure.currency,
            now,
            run_id,
        )
        for row in rows
        for figure in row.figures
        if figure.actual is not None
    ]
    return write_snapshot(database, figures)


PACED_METRIC = "bookings"
"""The goal whose pace `below_goal_pace` alerts watch: closed-won against quota."""


def _alert_goal_pace(
    settings: Settings,
    database: Database,
    rows: Sequence[ScorecardRow],
    now: datetime,
    run_id: int | None,
) -> None:
    """Record the `below_goal_pace` alert (if the admins asked for it) for the territories whose
    bookings trail the share of their period that has passed."""
    by_period: dict[str, list[tuple[str, float, float]]] = {}
    for row in rows:
        if row.rep is not None:
            continue
        for figure in row.figures:
            attainment = figure.attainment
            if figure.metric == PACED_METRIC and attainment is not None:
                pace = row.period.elapsed_share(now)
                by_period.setdefault(row.period.name, []).append((row.territory, attainment, pace))
    for period, territories in by_period.items():
        record_below_goal_pace(
            settings, database, territories, period=period, run_id=run_id, on=now.date()
        )


def snapshot_after_run(
    settings: Settings, database: Database, run_id: int, rules: LoadedTerritories
) -> None:
    """`record_snapshot` for a run that wrote; never raises: a failure is logged
    (`scorecards.snapshot_failed`) and the run's outcome stands."""
    try:
        stored = record_snapshot(settings, database, run_id, rules)
    except Exception as error:
        log_event(
            "scorecards.snapshot_failed",
            level=logging.WARNING,
            run_id=run_id,
            error=f"{type(error).__name__}: {error}",
        )
        return
    if stored:
        log_event("scorecards.snapshot", run_id=run_id, figures=stored)
