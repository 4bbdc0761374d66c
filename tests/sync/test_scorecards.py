"""Scorecards over the store: goals against actuals per territory and owner member, in the
reporting currency, with the accounts balance counts; snapshots, the trend and the week's change
read back from them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sync import scorecards
from sync.companies import load_rep_index
from sync.evaluate import balance_store, load_rules
from sync.scorecards import (
    Scorecard,
    build_scorecard,
    latest_snapshot,
    record_snapshot,
    snapshot_after_run,
    snapshot_history,
)
from sync.store.alerts import Alert
from sync.store.database import Database
from sync.store.related import upsert_related
from territory_sync.errors import ConfigurationError
from territory_sync.settings import Settings
from tests.end_to_end.conftest import product_settings
from tests.sync.scorecard_support import (
    DAN,
    LENA,
    MAYA,
    NOW,
    TERRITORIES,
    day,
    opportunity,
    seed_book,
)

ALERTS = Alert.__table__  # type: ignore[attr-defined]


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    territory_file = tmp_path / "territories.yaml"
    seed_book(database, territory_file)
    return product_settings(database.url, territory_file)


def figures(card: Scorecard, territory: str, rep: str | None = None) -> dict[str, Any]:
    """metric -> (goal, actual, attainment) of one row."""
    (row,) = [r for r in card.rows if r.territory == territory and r.rep == rep]
    return {f.metric: (f.goal, f.actual, f.attainment) for f in row.figures}


def snapshot(settings: Settings, database: Database, at: datetime, run_id: int = 1) -> int:
    rules = load_rules(settings, load_rep_index(database))
    return record_snapshot(settings, database, run_id, rules, now=at)


def test_a_territory_scores_its_goals_in_its_current_period(
    settings: Settings, database: Database
) -> None:
    card = build_scorecard(settings, database, territory="NA-West", now=NOW)
    west = figures(card, "NA-West")

    assert {row.period.name for row in card.rows} == {"2026-Q4"}
    assert west["bookings"] == (Decimal(1000), Decimal("720.00"), 0.72)
    assert west["pipeline_created"][1] == Decimal("1270.00")
    assert west["open_pipeline_coverage"][1] == Decimal("3.57")  # 1,000 / (1,000 - 720)
    assert west["accounts"][:2] == (Decimal(4), Decimal(3))
    assert west["accounts_with_open_opportunity"][1] == Decimal("0.6667")


def test_an_amount_in_a_currency_without_a_rate_is_left_out_and_reported(
    settings: Settings, database: Database
) -> None:
    card = build_scorecard(settings, database, territory="NA-West", now=NOW)

    assert card.warnings == [
        "1 opportunity in CHF was left out: settings.currency_rates has no rate for CHF; add "
        "one (CHF: RATE, where 1 CHF = RATE USD)"
    ]


def test_a_members_figures_are_their_accounts_and_the_opportunities_they_own_there(
    settings: Settings, database: Database
) -> None:
    card = build_scorecard(settings, database, territory="NA-West", now=NOW)
    maya, dan = figures(card, "NA-West", MAYA), figures(card, "NA-West", DAN)

    assert maya["bookings"] == (Decimal(600), Decimal("720.00"), 1.2)
    assert maya["pipeline_created"] == (None, Decimal("270.00"), None)
    assert maya["open_pipeline_coverage"][1] is None  # her quota is met
    assert maya["accounts_with_open_opportunity"][1] == Decimal("0.5000")
    assert dan["bookings"] == (None, Decimal("0.00"), None)
    assert dan["pipeline_created"][1] == Decimal("1000.00")
    assert dan["open_pipeline_coverage"][1] is None  # no quota of his own
    assert dan["accounts_with_open_opportunity"][1] == Decimal("1.0000")


def test_accounts_and_shares_are_those_balance_reports(
    settings: Settings, database: Database
) -> None:
    card = build_scorecard(settings, database, territory="NA-West", now=NOW)
    (balance,) = [
        t for t in balance_store(settings, database).territories if t.territory == "NA-West"
    ]
    loads = {rep.rep: rep.load.accounts for rep in balance.reps}

    rows = {row.rep: row for row in card.rows}
    assert rows[None].accounts == balance.total.accounts == 3
    assert (rows[MAYA].accounts, rows[DAN].accounts) == (loads[MAYA], loads[DAN])
    assert rows[MAYA].share == pytest.approx(2 / 3)


def test_a_territory_with_goals_per_another_kind_of_period_is_left_out_with_a_warning(
    settings: Settings, database: Database
) -> None:
    card = build_scorecard(settings, database, period="2026-Q4", now=NOW)

    assert {row.territory for row in card.rows} == {"NA-West"}
    assert card.warnings[0] == (
        "NA-East is left out: its goals are per month, and 2026-Q4 is a quarter (ask for a "
        "month, such as 2026-11)"
    )


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"period": "Q4"}, "'Q4' is not a period: write 2026-Q4 (a quarter)"),
        ({"territory": "EMEA"}, "territory 'EMEA' has no goals in"),
        ({"rep": "nobody@acme-revenue.example"}, "nobody@acme-revenue.example is no owner member"),
    ],
)
def test_what_a_scorecard_cannot_show_is_refused_with_what_it_can(
    settings: Settings, database: Database, options: dict[str, str], expected: str
) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(expected)):
        build_scorecard(settings, database, now=NOW, **options)


def test_a_snapshot_stores_each_territory_with_goals_and_its_members_figures(
    settings: Settings, database: Database
) -> None:
    stored = snapshot(settings, database, NOW, run_id=7)
    latest = latest_snapshot(database, "2026-Q4")

    assert len(latest) == 5 + 4 + 4  # NA-West's 5 metrics; its members' but coverage, which
    # neither has (hers: the quota is met; his: no quota of his own)
    assert stored == len(latest) + 2  # and NA-East's accounts, its and its member's, in 2026-11
    assert {(f.territory, f.run_id, f.taken_at) for f in latest} == {("NA-West", 7, NOW)}
    bookings = next(f for f in latest if f.rep is None and f.metric == "bookings")
    assert (bookings.goal, bookings.actual, bookings.currency) == (
        Decimal("1000.00"),
        Decimal("720.00"),
        "USD",
    )
    assert [(f.rep, f.metric) for f in latest_snapshot(database, "2026-11")] == [
        (None, "accounts"),
        (LENA, "accounts"),
    ]


def test_the_trend_reads_the_previous_periods_attainment_from_their_snapshots(
    settings: Settings, database: Database
) -> None:
    snapshot(settings, database, day(5, 15), run_id=1)  # 2026-Q2: nothing booked yet
    snapshot(settings, database, day(8, 1), run_id=2)  # 2026-Q3, early
    snapshot(settings, database, day(9, 30, 2026) + timedelta(hours=12), run_id=3)  # 999 booked

    card = build_scorecard(settings, database, territory="NA-West", now=NOW)
    (own,) = [row for row in card.rows if row.rep is None]
    trend = dict(next(f for f in own.figures if f.metric == "bookings").trend)

    assert trend == {"2025-Q4": None, "2026-Q1": None, "2026-Q2": 0.0, "2026-Q3": 0.999}
    history = snapshot_history(database, "NA-West", ["2026-Q2", "2026-Q3"])
    assert {f.run_id for f in history["2026-Q3"]} == {3}


def test_the_change_is_against_the_latest_snapshot_at_least_a_week_old(
    settings: Settings, database: Database
) -> None:
    snapshot(settings, database, NOW - timedelta(days=9), run_id=1)
    with database.engine.begin() as connection:
        late = opportunity(
            "006O8", "001A2", "005DAN", 100, closes=day(11, 12), created=day(11, 10), won=True
        )
        upsert_related(connection, "opportunity", [late], NOW)
    snapshot(settings, database, NOW - timedelta(days=2), run_id=2)  # too recent to compare

    card = build_scorecard(settings, database, territory="NA-West", now=NOW)
    (own,) = [row for row in card.rows if row.rep is None]
    change = {f.metric: f.change for f in own.figures}

    assert change["bookings"] == Decimal("100.00")
    assert change["accounts"] == 0


def test_a_period_that_ended_takes_its_point_in_time_figures_from_its_last_snapshot(
    settings: Settings, database: Database
) -> None:
    snapshot(settings, database, day(8, 1), run_id=1)

    card = build_scorecard(settings, database, period="2026-Q3", territory="NA-West", now=NOW)
    west = figures(card, "NA-West")
    before = build_scorecard(settings, database, period="2026-Q2", territory="NA-West", now=NOW)

    assert west["bookings"][1] == Decimal("999.00")  # recomputed from close dates
    assert west["accounts"][1] == Decimal(3)  # as the 2026-Q3 snapshot left it
    assert figures(before, "NA-West")["accounts"][1] is None  # no snapshot of 2026-Q2


def test_a_file_without_goals_takes_no_snapshot(settings: Settings, database: Database) -> None:
    Path(settings.territory_file).write_text(
        TERRITORIES.split("  - name: NA-West")[0]
        + f"  - name: EMEA\n    members: [{{email: {LENA}}}]\n",
        encoding="utf-8",
    )

    assert snapshot(settings, database, NOW) == 0
    with pytest.raises(ConfigurationError, match="sets no goals"):
        build_scorecard(settings, database, now=NOW)


def test_a_snapshot_that_fails_is_logged_and_never_raises(
    settings: Settings, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, dict[str, Any]]] = []

    def broken(*_: Any, **__: Any) -> int:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(scorecards, "record_snapshot", broken)
    monkeypatch.setattr(scorecards, "log_event", lambda event, **f: events.append((event, f)))
    rules = load_rules(settings, load_rep_index(database))

    snapshot_after_run(settings, database, 5, rules)

    assert events[0][0] == "scorecards.snapshot_failed"
    assert events[0][1]["error"] == "RuntimeError: the disk is full"


def test_a_territory_behind_its_bookings_pace_is_alerted_to_the_admins_once_a_day(
    settings: Settings, database: Database
) -> None:
    settings.alerts.events = [*settings.alerts.events, "below_goal_pace"]
    settings.alerts.email_admins = ["revops@acme-revenue.example"]

    snapshot(settings, database, NOW, run_id=1)  # 72% booked, half the quarter gone: on pace
    snapshot(settings, database, day(12, 31), run_id=2)  # 72% booked, the quarter nearly over
    snapshot(settings, database, day(12, 31), run_id=3)  # the same news again that day

    with database.engine.connect() as connection:
        rows = connection.execute(
            select(ALERTS.c.event, ALERTS.c.recipient, ALERTS.c.body, ALERTS.c.run_id)
        ).all()
    assert [(event, recipient, run) for event, recipient, _, run in rows] == [
        ("below_goal_pace", "revops@acme-revenue.example", 2)
    ]
    assert "NA-West: 72% of goal, 99% expected by now" in rows[0].body
