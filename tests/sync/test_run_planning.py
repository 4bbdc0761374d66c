"""A run plans the same changes whichever engine decides: the columnar engine where it applies
(SQLite), read back and planned a chunk at a time, or the reference engine (PostgreSQL, files the
columnar engine does not evaluate)."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update

import sync.evaluate
from connectors.base import PullPosition
from sync.companies import ACCOUNTS, LINKS
from sync.evaluate import evaluate_store
from sync.guard_rails import PlanTally, check_guard_rails
from sync.holds import HOLDS, active_holds
from sync.plan import PLANS, get_plan, plan_changes
from sync.planner import Planner, Scope, build_changes
from sync.pull import MODEL_MARK, save_cursor
from sync.quick_assign import quick_assign_records
from sync.runner import SyncRequest, plan_figures, run_sync
from sync.store.database import Database
from territory_sync.errors import InternalError
from territory_sync.settings import Settings, load_settings
from tests.sync.fakes import FakeCrm
from tests.sync.test_company_columns import FILE, NOW, write_book, write_reps

SF, HS = "salesforce", "hubspot"
BOOK = 150
"""Businesses of the seeded book (about 210 records); planned 40 at a time (four chunks)."""
ROW_FIELDS = ("source", "external_id", "account_name", "old_owner_id", "old_owner_email")
ROW_FIELDS += ("new_owner_id", "new_owner_email", "territory", "rule", "reason", "state")


def linked_pairs(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(LINKS)).scalar_one())


def settings_for(tmp_path: Path) -> Settings:
    territory_file = tmp_path / "territories.yaml"
    territory_file.write_text(textwrap.dedent(FILE), encoding="utf-8")
    return load_settings(
        None,
        environ={},
        overrides={"territories": {"file": str(territory_file)}, "sync": {"rep_change_flag": 3}},
    )


FIELDS = {SF: frozenset({"Type", "Do_Not_Reassign__c"}), HS: frozenset({"lifecyclestage"})}
"""The raw fields the territory file tests, in the CRM that has them."""


def pulled_before(database: Database) -> None:
    """Both CRMs were pulled with the file's fields: a run's pull is incremental and, from the
    fakes, brings nothing new (the seeded book stays as it is)."""
    with database.engine.begin() as connection:
        for source, fields in FIELDS.items():
            save_cursor(
                connection,
                source,
                PullPosition(datetime.now(UTC), None),
                extra_fields={*fields, MODEL_MARK},
            )


def seeded(database: Database, tmp_path: Path, seed: int) -> Settings:
    """The seeded book and its reps in the store, pulled as a run finds them; the settings."""
    write_reps(database)
    write_book(database, seed, BOOK)
    pulled_before(database)
    return settings_for(tmp_path)


def planned_by_run(
    settings: Settings, database: Database, **request: Any
) -> tuple[list[Any], dict[str, Any]]:
    """A plan-only run over the stored book: its saved changes, and its plan row's figures and
    guard rails."""
    crms = {source: FakeCrm(source, fields=fields) for source, fields in FIELDS.items()}
    result = run_sync(
        settings,
        database,
        SyncRequest(actor="test", plan_only=True, **request),
        connectors=crms,
    )
    assert result.plan_id is not None
    plan = get_plan(database, result.plan_id)
    assert plan is not None
    rows = [tuple(row[f] for f in ROW_FIELDS) for row in plan_changes(database, result.plan_id)]
    figures = dict(plan["figures"])
    # The book has no contacts or opportunities: nothing follows the accounts.
    assert figures.pop("related_records")["planned"] == 0
    return rows, {"figures": figures, "guard_rails": plan["guard_rails"]}


def planned_by_reference(
    settings: Settings,
    database: Database,
    *,
    scope: Scope | None = None,
    sources: tuple[str, ...] = (SF, HS),
) -> tuple[list[Any], dict[str, Any]]:
    """What the reference engine and the planner make of the same book, all at once, in key
    order (the store's open holds kept, as a run keeps them)."""
    evaluated = evaluate_store(settings, database)
    scope = (scope or Scope()).with_subtree(evaluated.rules)  # as a run widens it
    changes, figures = build_changes(
        evaluated.book,
        sorted(evaluated.evaluation.assignments, key=attrgetter("key")),
        evaluated.reps,
        sources=sources,
        writable=sources,
        scope=scope,
        holds=active_holds(database),
    )
    verdict = check_guard_rails(
        PlanTally.of(changes),
        figures.book_records,
        blast_radius=settings.sync.blast_radius,
        rep_change_flag=settings.sync.rep_change_flag,
        allow_mass_change=False,
    )
    rows = [tuple(getattr(c, f) for f in ROW_FIELDS) for c in changes]
    return rows, {"figures": plan_figures(figures), "guard_rails": verdict.as_dict()}


def owners_as_planned(database: Database, changes: list[Any]) -> None:
    """The store's owners become what `changes` planned, as if the plan had been written."""
    with database.engine.begin() as connection:
        for source, external_id, *_, new_owner_id, _, _, _, _, state in changes:
            if state == "planned":
                connection.execute(
                    update(ACCOUNTS)
                    .where(ACCOUNTS.c.source == source, ACCOUNTS.c.external_id == external_id)
                    .values(owner_id=new_owner_id)
                )


def held(database: Database, count: int) -> list[tuple[str, str]]:
    """Open holds on the first `count` live records of each CRM, with the owner they have."""
    with database.engine.begin() as connection:
        records = []
        for source in (SF, HS):
            rows = connection.execute(
                select(ACCOUNTS.c.source, ACCOUNTS.c.external_id, ACCOUNTS.c.owner_id)
                .where(ACCOUNTS.c.source == source, ACCOUNTS.c.deleted.is_(False))
                .order_by(ACCOUNTS.c.external_id)
                .limit(count)
            ).all()
            records += rows
        connection.execute(
            insert(HOLDS),
            [
                {"source": r[0], "external_id": r[1], "owner_id": r[2], "created_at": NOW}
                for r in records
            ],
        )
    return [(r[0], r[1]) for r in records]


@pytest.fixture
def read_back(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many businesses each part of a columnar run read back from the store."""
    counts: list[int] = []
    read = sync.evaluate.companies_by_record_ids

    def spying(database: Database, reps: Any, pairs: Any, *args: Any) -> Any:
        counts.append(len(pairs))
        return read(database, reps, pairs, *args)

    monkeypatch.setattr(sync.evaluate, "companies_by_record_ids", spying)
    return counts


@pytest.fixture
def columnar_runs(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each evaluation took the columnar path; chunks of 40 businesses."""
    monkeypatch.setattr(sync.evaluate, "CHUNK", 40)
    seen: list[bool] = []
    decide = sync.evaluate.decide_store

    def spying(*args: Any, **kwargs: Any) -> Any:
        found = decide(*args, **kwargs)
        seen.append(found is not None)
        return found

    monkeypatch.setattr(sync.evaluate, "decide_store", spying)
    return seen


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_run_plans_exactly_what_the_reference_engine_plans(
    database: Database, tmp_path: Path, seed: int, columnar_runs: list[bool]
) -> None:
    settings = seeded(database, tmp_path, seed=seed)

    changes, plan = planned_by_run(settings, database)

    assert columnar_runs == [database.is_sqlite]
    assert linked_pairs(database) > 0  # businesses of two records are planned too
    expected_changes, expected_plan = planned_by_reference(settings, database)
    assert changes == [tuple(row) for row in expected_changes]
    assert plan == expected_plan
    assert plan["figures"]["planned"] > 0 and plan["guard_rails"]["flagged_reps"]


def test_a_run_through_the_columnar_engine_saves_the_plan_the_reference_path_saves(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not database.is_sqlite:
        pytest.skip("the columnar path reads SQLite stores only")
    settings = seeded(database, tmp_path, seed=7)
    monkeypatch.setattr(sync.evaluate, "CHUNK", 40)

    columnar = planned_by_run(settings, database)
    monkeypatch.setattr(sync.evaluate, "decide_store", lambda *args, **kwargs: None)
    reference = planned_by_run(settings, database)

    assert columnar == reference


@pytest.mark.parametrize("territory", ["US-West", "Europe", "Rest", "Americas"])
def test_a_run_for_one_territory_plans_what_the_reference_engine_plans(
    database: Database, tmp_path: Path, territory: str, columnar_runs: list[bool]
) -> None:
    settings = seeded(database, tmp_path, seed=4)

    planned = planned_by_run(settings, database, territory=territory)

    assert columnar_runs == [database.is_sqlite]
    assert planned == planned_by_reference(settings, database, scope=Scope(territory=territory))
    assert planned[1]["figures"]["planned"] > 0


def test_a_run_for_a_territory_plans_the_accounts_of_the_territories_under_it_too(
    database: Database, tmp_path: Path, columnar_runs: list[bool]
) -> None:
    settings = seeded(database, tmp_path, seed=4)

    changes, _ = planned_by_run(settings, database, territory="Americas")

    territory = ROW_FIELDS.index("territory")
    assert {row[territory] for row in changes} == {"Americas", "US-West", "US-Big"}
    with database.engine.connect() as connection:
        newest = select(PLANS.c.scope).order_by(PLANS.c.id.desc()).limit(1)
        scope = connection.execute(newest).scalar_one()
    assert scope["territories"] == ["Americas", "US-West", "US-Big"]


def test_a_run_for_one_crm_plans_what_the_reference_engine_plans(
    database: Database, tmp_path: Path, columnar_runs: list[bool]
) -> None:
    settings = seeded(database, tmp_path, seed=5)

    planned = planned_by_run(settings, database, sources=(HS,))

    assert planned == planned_by_reference(settings, database, sources=(HS,))
    assert {row[0] for row in planned[0]} == {HS}


def test_a_quick_assignment_plans_what_the_reference_engine_plans_for_its_records(
    database: Database, tmp_path: Path, columnar_runs: list[bool]
) -> None:
    settings = seeded(database, tmp_path, seed=8)
    candidates = quick_assign_records(database, (SF, HS), run_id=2**31 - 1).records

    planned = planned_by_run(settings, database, only_unowned_or_new=True)

    assert columnar_runs == [database.is_sqlite]
    scope = Scope(only_unowned_or_new=True, candidates=candidates)
    assert planned == planned_by_reference(settings, database, scope=scope)
    assert planned[1]["figures"]["planned"] > 0
    assert {(row[0], row[1]) for row in planned[0]} <= candidates


def test_held_records_keep_the_owner_a_person_set_as_the_reference_engine_keeps_them(
    database: Database, tmp_path: Path, columnar_runs: list[bool]
) -> None:
    settings = seeded(database, tmp_path, seed=6)
    records = held(database, 20)

    changes, plan = planned_by_run(settings, database)

    assert (changes, plan) == planned_by_reference(settings, database)
    assert plan["figures"]["kept_for_person"] > 0
    assert not {(row[0], row[1]) for row in changes} & set(records)


def test_a_run_reads_back_only_the_businesses_whose_owners_may_change(
    database: Database, tmp_path: Path, read_back: list[int], columnar_runs: list[bool]
) -> None:
    if not database.is_sqlite:
        pytest.skip("the columnar path reads SQLite stores only")
    settings = seeded(database, tmp_path, seed=8)
    first, _ = planned_by_run(settings, database)
    owners_as_planned(database, first)
    read_back.clear()

    again = planned_by_run(settings, database)

    assert again == planned_by_reference(settings, database)
    assert again[1]["figures"]["planned"] == 0
    assert again[1]["figures"]["unchanged"] > 100
    assert sum(read_back) < BOOK // 5  # ties, skips and businesses the reference decided


def test_a_business_gone_from_the_store_between_deciding_and_planning_stops_the_run(
    database: Database, tmp_path: Path
) -> None:
    if not database.is_sqlite:
        pytest.skip("the columnar path reads SQLite stores only")
    write_reps(database)
    write_book(database, 1, BOOK)
    evaluated = sync.evaluate.evaluate_for_run(settings_for(tmp_path), database)
    with database.engine.begin() as connection:
        connection.execute(update(ACCOUNTS).values(deleted=True))

    planner = Planner(evaluated.reps, sources=[SF, HS], writable=[SF, HS], scope=Scope())

    with pytest.raises(InternalError, match="no longer live; nothing was written"):
        for _, decided in evaluated.parts(planner):
            list(decided)
