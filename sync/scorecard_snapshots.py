"""Reading and writing scorecard snapshots (`sync.store.scorecards.ScorecardSnapshot`).

A snapshot is every row one run wrote (one `taken_at`). "The latest snapshot of a period" is, per
territory, the rows of the latest `taken_at` in that period: a territory given goals later, or
left out of a run, still shows what it had. Both reads go through the (period, territory,
taken_at) index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, RowMapping, Table, and_, func, insert, select

from sync.store.database import Database
from sync.store.scorecards import ScorecardSnapshot

SNAPSHOTS: Table = ScorecardSnapshot.__table__  # type: ignore[attr-defined]
_PLACES = Decimal("0.0001")
"""Snapshots keep four decimals: shares such as 0.4567 of accounts with an open opportunity."""


@dataclass(frozen=True, slots=True)
class SnapshotFigure:
    """One stored figure: a territory's (rep None) or an owner member's, for one metric."""

    period: str
    territory: str
    rep: str | None
    metric: str
    goal: Decimal | None
    actual: Decimal
    currency: str | None
    taken_at: datetime
    run_id: int | None

    @property
    def attainment(self) -> float | None:
        """Actual over goal (None without a goal above 0)."""
        if self.goal is None or self.goal <= 0:
            return None
        return float(self.actual / self.goal)


def write_snapshot(database: Database, figures: Iterable[SnapshotFigure]) -> int:
    """Store the figures (amounts and shares to the cent); returns how many."""
    rows = [
        {
            "run_id": figure.run_id,
            "taken_at": figure.taken_at,
            "period": figure.period,
            "territory": figure.territory,
            "rep_email": figure.rep,
            "metric": figure.metric,
            "goal": None if figure.goal is None else figure.goal.quantize(_PLACES),
            "actual": figure.actual.quantize(_PLACES),
            "currency": figure.currency,
        }
        for figure in figures
    ]
    if rows:
        with database.engine.begin() as connection:
            connection.execute(insert(SNAPSHOTS), rows)
    return len(rows)


def _figure(row: RowMapping) -> SnapshotFigure:
    goal = row["goal"]
    return SnapshotFigure(
        period=row["period"],
        territory=row["territory"],
        rep=row["rep_email"],
        metric=row["metric"],
        goal=None if goal is None else Decimal(str(goal)).quantize(_PLACES),
        actual=Decimal(str(row["actual"])).quantize(_PLACES),
        currency=row["currency"],
        taken_at=row["taken_at"],
        run_id=row["run_id"],
    )


_ORDER = (SNAPSHOTS.c.territory, SNAPSHOTS.c.rep_email.is_not(None), SNAPSHOTS.c.rep_email)


def latest_snapshot(
    database: Database,
    period: str,
    *,
    territory: str | None = None,
    taken_before: datetime | None = None,
) -> list[SnapshotFigure]:
    """Each territory's figures for `period` (2026-Q4, 2026-11, FY2027) from its latest
    snapshot, or the latest taken at or before `taken_before`; `territory` narrows to one."""
    conditions = [SNAPSHOTS.c.period == period]
    if territory is not None:
        conditions.append(SNAPSHOTS.c.territory == territory)
    if taken_before is not None:
        conditions.append(SNAPSHOTS.c.taken_at <= taken_before)
    with database.engine.connect() as connection:
        return [_figure(row) for row in _latest_rows(connection, SNAPSHOTS.c.territory, conditions)]


def snapshot_history(
    database: Database, territory: str, periods: Sequence[str]
) -> dict[str, list[SnapshotFigure]]:
    """For each of `periods` (in their order), the territory's figures from the latest snapshot
    taken in it; a period without one maps to an empty list."""
    found: dict[str, list[SnapshotFigure]] = {period: [] for period in periods}
    if not periods:
        return found
    conditions = [SNAPSHOTS.c.territory == territory, SNAPSHOTS.c.period.in_(list(periods))]
    with database.engine.connect() as connection:
        for row in _latest_rows(connection, SNAPSHOTS.c.period, conditions):
            found[row["period"]].append(_figure(row))
    return found


def _latest_rows(
    connection: Connection, group: Any, conditions: Sequence[Any]
) -> Sequence[RowMapping]:
    """The snapshot rows meeting `conditions` taken at the latest moment of each `group` value."""
    latest = (
        select(group, func.max(SNAPSHOTS.c.taken_at).label("taken_at"))
        .where(*conditions)
        .group_by(group)
        .subquery()
    )
    query = (
        select(SNAPSHOTS)
        .join(
            latest,
            and_(group == latest.c[group.name], SNAPSHOTS.c.taken_at == latest.c.taken_at),
        )
        .where(*conditions)
        .order_by(*_ORDER, SNAPSHOTS.c.id)
    )
    return connection.execute(query).mappings().all()
