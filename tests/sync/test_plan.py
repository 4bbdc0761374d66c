"""A saved plan holds each change with an idempotency key, and can be read back by state."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError

from sync.plan import ProposedChange, get_plan, idempotency_key, plan_changes, save_plan
from sync.runs import RUNS
from sync.store.changes import ChangeState, PlanStatus
from sync.store.database import Database
from sync.writeback import apply_plan
from tests.sync.support import audit_rows, change, context, new_run, saved_plan


def test_a_saved_plan_is_a_draft_with_every_change_planned(database: Database) -> None:
    plan_id = saved_plan(database, [change("A1", "o", "n"), change("A2", "o", "n")])

    plan = get_plan(database, plan_id)
    assert plan is not None and plan["status"] == PlanStatus.DRAFT.value
    assert [c["state"] for c in plan_changes(database, plan_id)] == ["planned", "planned"]


def test_a_saved_plan_adds_one_audit_row_for_the_plan_not_one_per_account(
    database: Database,
) -> None:
    saved_plan(
        database,
        [
            change("A1", "o", "n"),
            change("A2", "o", "n"),
            change("A3", "o", None, state=ChangeState.SKIPPED),
        ],
    )

    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT status, external_id, reason FROM audit_log")).all()
    assert len(rows) == 1
    status, record, reason = rows[0]
    assert (status, record) == ("planned", None)
    assert "2 owner change(s) (2 in salesforce), 1 skipped" in reason


def test_a_skipped_decision_is_audited_once_when_the_plan_is_applied(database: Database) -> None:
    plan_id = saved_plan(database, [change("A3", "o", None, state=ChangeState.SKIPPED)])

    apply_plan(context(database), plan_id, {})
    apply_plan(context(database), plan_id, {})

    assert audit_rows(database, "A3") == [("skipped", "A3")]


def test_changes_are_read_back_by_state(database: Database) -> None:
    plan_id = saved_plan(
        database,
        [change("A1", "o", "n"), change("A2", "o", None, state=ChangeState.SKIPPED)],
    )

    skipped = plan_changes(database, plan_id, [ChangeState.SKIPPED])

    assert [c["external_id"] for c in skipped] == ["A2"]


def test_the_same_intent_has_the_same_idempotency_key_and_cannot_be_saved_twice(
    database: Database,
) -> None:
    one = change("A1", "o", "n")
    assert idempotency_key(5, one) == idempotency_key(5, change("A1", "o", "n"))
    assert idempotency_key(5, one) != idempotency_key(6, one)
    with pytest.raises(IntegrityError):
        saved_plan(database, [one, one])


def test_the_store_takes_other_writes_while_a_plan_is_being_produced(
    database: Database,
) -> None:
    """Planning (reading the book back, chunk by chunk) happens before the plan's transaction,
    so a console session or a scheduler heartbeat is never kept waiting on it."""
    run_id = new_run(database)
    others_written: list[int] = []

    def produced() -> Iterator[ProposedChange]:
        for n in range(3):
            with database.engine.begin() as other:  # another writer, while planning goes on
                other.execute(update(RUNS).where(RUNS.c.id == run_id).values(actor=f"at {n}"))
            others_written.append(n)
            yield change(f"001{n:015d}", "005A", "005B")

    plan_id = save_plan(database, run_id=run_id, trigger="cli", actor="test", changes=produced())

    assert others_written == [0, 1, 2]
    assert [c["external_id"] for c in plan_changes(database, plan_id)] == [
        f"001{n:015d}" for n in range(3)
    ]
