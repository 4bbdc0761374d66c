"""A rollback plan is the inverse of the decisions of the run it undoes, and only of those."""

from __future__ import annotations

import pytest

from mapping.unified import UnifiedRep
from sync.plan import get_plan, plan_changes
from sync.rollback_plan import mark_rolled_back, rollback_changes
from sync.store.changes import ChangeState
from sync.store.database import Database
from sync.store.reps import upsert_reps
from territory_sync.errors import ConfigurationError
from tests.sync.support import SF, change, mark, new_run, saved_plan, states, store_accounts


def _written_plan(database: Database, run_id: int, records: dict[str, tuple[str, str]]) -> int:
    plan_id = saved_plan(
        database, [change(r, old, new) for r, (old, new) in records.items()], run_id=run_id
    )
    for record in records:
        mark(database, plan_id, record, state="written", attempts=1)
    store_accounts(database, {(SF, r): new for r, (_, new) in records.items()})
    return plan_id


def test_rollback_restores_every_change_the_run_planned_even_those_a_later_run_finished(
    database: Database,
) -> None:
    crashed, finisher = new_run(database), new_run(database)
    _written_plan(database, crashed, {"A1": ("005OLD", "005NEW"), "A2": ("005OLD", "005NEW")})
    _written_plan(database, finisher, {"A3": ("005OLD", "005NEW")})
    # The finishing run wrote A2 for the crashed run's plan.
    with database.engine.begin() as connection:
        from sqlalchemy import text

        connection.execute(
            text("UPDATE owner_changes SET applied_run_id = :r WHERE external_id = 'A2'"),
            {"r": finisher},
        )

    restore = rollback_changes(database, crashed)

    assert sorted((c.external_id, c.new_owner_id, c.state) for c in restore) == [
        ("A1", "005OLD", ChangeState.PLANNED),
        ("A2", "005OLD", ChangeState.PLANNED),
    ]


def test_rollback_of_an_apply_run_restores_the_plan_it_applied(database: Database) -> None:
    planner = new_run(database, "plan")
    plan_id = _written_plan(database, planner, {"A1": ("005OLD", "005NEW")})
    applier = new_run(database, "apply", scope={"plan_id": plan_id})

    assert [c.external_id for c in rollback_changes(database, applier)] == ["A1"]


def test_rollback_skips_a_record_whose_owner_changed_since_the_run(database: Database) -> None:
    run_id = new_run(database)
    _written_plan(database, run_id, {"A1": ("005OLD", "005NEW")})
    store_accounts(database, {(SF, "A1"): "005PERSON"})

    (restore,) = rollback_changes(database, run_id)

    assert restore.state == ChangeState.SKIPPED
    assert restore.reason is not None and "the owner is now 005PERSON" in restore.reason


def test_rollback_skips_a_record_that_had_no_owner_before(database: Database) -> None:
    run_id = new_run(database)
    plan_id = saved_plan(database, [change("A1", None, "005NEW")], run_id=run_id)
    mark(database, plan_id, "A1", state="written", attempts=1)

    (restore,) = rollback_changes(database, run_id)

    assert restore.state == ChangeState.SKIPPED


def test_rollback_skips_a_record_whose_owner_before_was_deactivated_since(
    database: Database,
) -> None:
    run_id = new_run(database)
    _written_plan(database, run_id, {"A1": ("005LEFT", "005NEW"), "A2": ("005OLD", "005NEW")})
    with database.engine.begin() as connection:
        upsert_reps(
            connection, [UnifiedRep(SF, "005LEFT", "left@acme.example", "Left", active=False)]
        )

    restore = {c.external_id: c for c in rollback_changes(database, run_id)}

    assert restore["A1"].state == ChangeState.SKIPPED
    assert restore["A1"].reason is not None
    assert "the previous owner 005LEFT@acme.example is no longer active" in restore["A1"].reason
    assert restore["A2"].state == ChangeState.PLANNED


def test_rollback_of_a_run_that_wrote_nothing_is_an_error(database: Database) -> None:
    with pytest.raises(ConfigurationError, match="wrote no owner changes"):
        rollback_changes(database, new_run(database))


def test_a_written_rollback_marks_the_undone_changes_rolled_back(database: Database) -> None:
    run_id = new_run(database)
    undone = _written_plan(database, run_id, {"A1": ("005OLD", "005NEW"), "A2": ("o", "n")})
    rollback = saved_plan(
        database,
        rollback_changes(database, run_id),
        kind="rollback",
        scope={"undo_run": run_id},
    )
    mark(database, rollback, "A1", state="written", attempts=1)
    plan = get_plan(database, rollback)
    assert plan is not None

    assert mark_rolled_back(database, plan) == 1
    assert states(database, undone) == {"A1": "rolled_back", "A2": "written"}
    assert len(plan_changes(database, rollback)) == 2
