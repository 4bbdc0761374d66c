"""Scorecards against the sandbox CRMs: a territory file with quarterly goals makes runs pull
the opportunities, the scorecard's actuals are the sandbox's own deals added up independently
here, and every run that writes leaves a snapshot (one that fails never fails the run)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from mapping.territories.periods import FiscalCalendar, Period
from sandbox.seed import SeedOpportunity
from sync import scorecards
from sync.scorecard_snapshots import SNAPSHOTS
from sync.scorecards import build_scorecard, latest_snapshot
from sync.store.runs import RunStatus
from territory_sync.times import from_epoch_ms
from tests.end_to_end.conftest import Product

MAYA = "maya.chen@acme-revenue.example"
DANIEL = "daniel.okafor@acme-revenue.example"
QUARTER = "2025-Q4"
"""A quarter of the seeded book (its moment is 2026-01-01) with deals created and closed."""
GOALS = f"""\
version: 1
settings:
  unmatched: catch_all
  catch_all: Everyone
territories:
  - name: Everyone
    goals:
      period: quarter
      bookings: 2000000
      pipeline_created: 5000000
      accounts_with_open_opportunity: 0.5
    members:
      - email: {MAYA}
        goals: {{bookings: 1000000}}
      - email: {DANIEL}
"""


def _deals(product: Product) -> list[tuple[str, SeedOpportunity]]:
    """Every live deal of both sandbox CRMs whose account is live, with its CRM."""
    sandbox = product.sandbox
    live = {("salesforce", a.crm_id) for a in sandbox.book.salesforce if not a.deleted} | {
        ("hubspot", a.crm_id) for a in sandbox.book.hubspot if not a.deleted
    }
    deals = [("salesforce", o) for o in sandbox.salesforce.opportunities]
    deals += [("hubspot", o) for o in sandbox.hubspot.deals()]
    return [(crm, o) for crm, o in deals if not o.deleted and (crm, o.account_id) in live]


def _total(deals: Iterable[tuple[str, SeedOpportunity]]) -> Decimal:
    return sum((Decimal(o.amount or 0) for _, o in deals), Decimal(0)).quantize(Decimal("0.01"))


def _owned_by(product: Product, email: str) -> set[str]:
    (rep,) = [r for r in product.sandbox.book.reps if r.email == email]
    return {rep.salesforce_user_id, rep.hubspot_owner_id}


def _figures(card: scorecards.Scorecard, rep: str | None) -> dict[str, Any]:
    (row,) = [r for r in card.rows if r.rep == rep]
    return {f.metric: f.actual for f in row.figures}


def test_the_scorecards_actuals_are_the_sandboxs_deals_of_the_quarter(product: Product) -> None:
    product.use_territories(GOALS)
    assert product.sync().status == RunStatus.SUCCEEDED

    card = build_scorecard(product.settings, product.database, period=QUARTER)
    quarter: Period = FiscalCalendar().parse(QUARTER)
    deals = _deals(product)
    won = [(c, o) for c, o in deals if o.won and quarter.contains(from_epoch_ms(o.close_date_ms))]
    created = [(c, o) for c, o in deals if quarter.contains(from_epoch_ms(o.created_ms))]
    hers = _owned_by(product, MAYA)

    assert won and created, "the seeded book has deals in the quarter"
    everyone, maya = _figures(card, None), _figures(card, MAYA)
    assert everyone["bookings"] == _total(won)
    assert everyone["pipeline_created"] == _total(created)
    assert maya["bookings"] == _total((c, o) for c, o in won if o.owner_id in hers)
    assert maya["pipeline_created"] == _total((c, o) for c, o in created if o.owner_id in hers)
    assert card.warnings == []  # the sandbox's amounts carry no currency: the reporting one


def test_every_run_that_writes_leaves_a_snapshot_of_the_current_quarter(
    product: Product,
) -> None:
    product.use_territories(GOALS)
    first, second = product.sync(), product.sync()
    current = FiscalCalendar().period_of("quarter", datetime.now(UTC)).name

    with product.database.engine.connect() as connection:
        runs = set(connection.execute(select(SNAPSHOTS.c.run_id).distinct()).scalars())
    latest = latest_snapshot(product.database, current)

    assert runs == {first.run_id, second.run_id}
    assert {figure.run_id for figure in latest} == {second.run_id}
    assert {figure.rep for figure in latest} == {None, MAYA, DANIEL}
    accounts = next(f for f in latest if f.rep is None and f.metric.startswith("accounts_"))
    assert Decimal(0) <= accounts.actual <= Decimal(1)


def test_a_dry_run_leaves_no_snapshot_and_a_failing_snapshot_never_fails_the_run(
    product: Product, monkeypatch: pytest.MonkeyPatch
) -> None:
    product.use_territories(GOALS)
    assert product.sync(dry_run=True).status == RunStatus.SUCCEEDED

    def broken(*_: Any, **__: Any) -> int:
        raise RuntimeError("the snapshot table is locked")

    monkeypatch.setattr(scorecards, "record_snapshot", broken)
    result = product.sync()

    assert result.status == RunStatus.SUCCEEDED
    with product.database.engine.connect() as connection:
        assert connection.execute(select(SNAPSHOTS.c.id)).first() is None
