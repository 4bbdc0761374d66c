"""A person's owner choice found as a conflict is kept by later runs until it changes or ends."""

from __future__ import annotations

from sync.holds import active_holds, end_outdated_holds, release_holds
from sync.planner import Scope, build_changes
from sync.store.database import Database
from sync.writeback import apply_plan
from tests.sync.fakes import FakeCrm
from tests.sync.support import SF, audit_rows, change, context, saved_plan
from tests.sync.test_planner import assigned, linked_company, reps


def _conflict(database: Database) -> None:
    crm = FakeCrm(SF, {"A1": "005PERSON"})
    plan_id = saved_plan(database, [change("A1", "005OLD", "005NEW")])
    apply_plan(context(database), plan_id, {SF: crm})


def test_a_conflict_opens_a_hold_with_the_owner_the_person_set(database: Database) -> None:
    _conflict(database)

    (hold,) = active_holds(database).values()
    assert (hold["external_id"], hold["owner_id"], hold["planned_owner_id"]) == (
        "A1",
        "005PERSON",
        "005NEW",
    )


def test_under_the_override_policy_a_conflict_opens_no_hold(database: Database) -> None:
    crm = FakeCrm(SF, {"A1": "005PERSON"})
    plan_id = saved_plan(database, [change("A1", "005OLD", "005NEW")])

    apply_plan(context(database, respect_manual_changes=False), plan_id, {SF: crm})

    assert active_holds(database) == {}


def test_planning_leaves_a_held_record_alone_while_it_keeps_the_person_s_owner() -> None:
    book, company = linked_company("005BO", "71")
    holds = {(SF, "001A"): {"owner_id": "005BO"}}

    changes, figures = build_changes(
        book,
        assigned(company, "ana@acme.example"),
        reps(),
        sources=[SF, "hubspot"],
        writable=[SF, "hubspot"],
        scope=Scope(),
        holds=holds,
    )

    assert changes == [] and figures.kept_for_person == 1


def test_a_hold_ends_once_the_owner_changes_again(database: Database) -> None:
    _conflict(database)
    holds = active_holds(database)

    assert end_outdated_holds(database, holds, {(SF, "A1"): "005SOMEONE"}) == 1
    assert active_holds(database) == {}


def test_releasing_a_hold_ends_it_with_an_audit_row(database: Database) -> None:
    _conflict(database)
    (hold,) = active_holds(database).values()

    released = release_holds(database, [hold["id"]], actor="ana")

    assert [h["id"] for h in released] == [hold["id"]]
    assert active_holds(database) == {}
    assert audit_rows(database, "A1")[-1] == ("hold_released", "A1")
