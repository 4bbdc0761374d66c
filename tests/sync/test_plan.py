"""A saved plan holds each change with an idempotency key, and can be read back by state."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from sync.plan import get_plan, idempotency_key, plan_changes
from sync.store.changes import ChangeState, PlanStatus
from sync.store.database import Database
from tests.sync.support import audit_rows, change, saved_plan


def test_a_saved_plan_is_a_draft_with_every_change_planned_and_audited(database: Database) -> None:
    plan_id = saved_plan(database, [change("A1", "o", "n"), change("A2", "o", "n")])

    plan = get_plan(database, plan_id)
    assert plan is not None and plan["status"] == PlanStatus.DRAFT.value
    assert [c["state"] for c in plan_changes(database, plan_id)] == ["planned", "planned"]
    assert [status for status, _ in audit_rows(database)] == ["planned", "planned"]


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
