"""Write-back of related records: after their account, once, never for an account left alone."""

from __future__ import annotations

from sync.rollback_plan import rollback_changes
from sync.store.changes import ChangeState
from sync.store.database import Database
from sync.writeback import apply_plan
from tests.sync.fakes import FakeCrm
from tests.sync.related_support import (
    FakeCrmWithRelated,
    related_change,
    store_contacts,
    stored_related_owner,
)
from tests.sync.support import (
    SF,
    audit_rows,
    change,
    context,
    new_run,
    saved_plan,
    states,
    store_accounts,
)


def _crm(accounts: dict[str, str | None], contacts: dict[str, str | None]) -> FakeCrmWithRelated:
    return FakeCrmWithRelated(SF, dict(accounts), related={"contact": FakeCrm(SF, dict(contacts))})


def test_a_contact_follows_once_its_account_is_written(database: Database) -> None:
    store_accounts(database, {(SF, "A1"): "005OLD"})
    store_contacts(database, {"C1": ("A1", "005OLD")})
    crm = _crm({"A1": "005OLD"}, {"C1": "005OLD"})
    plan_id = saved_plan(
        database, [change("A1", "005OLD", "005NEW"), related_change("C1", "A1", "005OLD", "005NEW")]
    )

    figures = apply_plan(context(database), plan_id, {SF: crm})

    assert crm.writes == [("A1", "005NEW")]
    assert crm.related["contact"].writes == [("C1", "005NEW")]
    assert states(database, plan_id) == {"A1": "written", "C1": "written"}
    assert stored_related_owner(database, "contact", "C1") == "005NEW"
    assert audit_rows(database, "C1") == [("written", "C1")]
    assert figures.as_dict()["written"] == 1
    assert figures.as_dict()["related"] == {"salesforce contact": {"written": 1}}


def test_a_contact_stays_when_a_person_kept_its_account(database: Database) -> None:
    store_contacts(database, {"C1": ("A1", "005OLD")})
    crm = _crm({"A1": "005PERSON"}, {"C1": "005OLD"})
    plan_id = saved_plan(
        database, [change("A1", "005OLD", "005NEW"), related_change("C1", "A1", "005OLD", "005NEW")]
    )

    apply_plan(context(database), plan_id, {SF: crm})

    assert crm.related["contact"].writes == []
    assert states(database, plan_id) == {"A1": "conflict", "C1": "skipped"}
    assert audit_rows(database, "C1") == [("skipped", "C1")]


def test_a_contact_a_person_changed_after_the_plan_is_left_alone_as_a_conflict(
    database: Database,
) -> None:
    crm = _crm({"A1": "005OLD"}, {"C1": "005SOMEONE"})
    plan_id = saved_plan(
        database, [change("A1", "005OLD", "005NEW"), related_change("C1", "A1", "005OLD", "005NEW")]
    )

    apply_plan(context(database), plan_id, {SF: crm})

    assert crm.related["contact"].owners == {"C1": "005SOMEONE"}
    assert states(database, plan_id) == {"A1": "written", "C1": "conflict"}
    assert audit_rows(database, "C1") == [("conflict", "C1")]


def test_a_contact_waits_while_its_accounts_outcome_is_unknown(database: Database) -> None:
    crm = FakeCrmWithRelated(
        SF, {"A1": "005OLD"}, unfinished={"A1"}, related={"contact": FakeCrm(SF, {"C1": "005OLD"})}
    )
    plan_id = saved_plan(
        database, [change("A1", "005OLD", "005NEW"), related_change("C1", "A1", "005OLD", "005NEW")]
    )

    figures = apply_plan(context(database), plan_id, {SF: crm})

    assert crm.related["contact"].writes == []
    assert states(database, plan_id) == {"A1": "in_flight", "C1": "planned"}
    assert figures.as_dict()["related"] == {"salesforce contact": {"unfinished": 1}}


def test_a_held_crm_holds_its_contacts_too(database: Database) -> None:
    crm = _crm({"A1": "005OLD"}, {"C1": "005OLD"})
    plan_id = saved_plan(
        database, [change("A1", "005OLD", "005NEW"), related_change("C1", "A1", "005OLD", "005NEW")]
    )

    apply_plan(context(database, writes_off={SF: "write_owners is off"}), plan_id, {SF: crm})

    assert crm.writes == [] and crm.related["contact"].writes == []
    assert states(database, plan_id) == {"A1": ChangeState.HELD.value, "C1": ChangeState.HELD.value}


def test_rolling_back_a_run_restores_its_accounts_and_their_contacts(database: Database) -> None:
    store_accounts(database, {(SF, "A1"): "005OLD"})
    store_contacts(database, {"C1": ("A1", "005OLD")})
    crm = _crm({"A1": "005OLD"}, {"C1": "005OLD"})
    run_id = new_run(database)
    plan_id = saved_plan(
        database,
        [change("A1", "005OLD", "005NEW"), related_change("C1", "A1", "005OLD", "005NEW")],
        run_id=run_id,
    )
    apply_plan(context(database, run_id=run_id), plan_id, {SF: crm})

    undo = rollback_changes(database, run_id)
    undo_plan = saved_plan(database, undo, kind="rollback", scope={"undo_run": run_id})
    apply_plan(context(database), undo_plan, {SF: crm})

    assert [(c.object_name, c.external_id, c.new_owner_id) for c in undo] == [
        ("account", "A1", "005OLD"),
        ("contact", "C1", "005OLD"),
    ]
    assert crm.owners == {"A1": "005OLD"}
    assert crm.related["contact"].owners == {"C1": "005OLD"}
    assert stored_related_owner(database, "contact", "C1") == "005OLD"
    assert states(database, plan_id) == {"A1": "rolled_back", "C1": "rolled_back"}


def test_a_rollback_leaves_a_contact_whose_account_a_person_changed_since(
    database: Database,
) -> None:
    store_accounts(database, {(SF, "A1"): "005OLD"})
    store_contacts(database, {"C1": ("A1", "005OLD")})
    crm = _crm({"A1": "005OLD"}, {"C1": "005OLD"})
    run_id = new_run(database)
    plan_id = saved_plan(
        database,
        [change("A1", "005OLD", "005NEW"), related_change("C1", "A1", "005OLD", "005NEW")],
        run_id=run_id,
    )
    apply_plan(context(database, run_id=run_id), plan_id, {SF: crm})
    crm.owners["A1"] = "005PERSON"  # a person hands the account on after the run

    undo = rollback_changes(database, run_id)
    undo_plan = saved_plan(database, undo, kind="rollback", scope={"undo_run": run_id})
    apply_plan(context(database), undo_plan, {SF: crm})

    assert crm.owners == {"A1": "005PERSON"}
    assert crm.related["contact"].owners == {"C1": "005NEW"}, "the contact stays with the account"
    assert states(database, undo_plan) == {"A1": "conflict", "C1": "skipped"}
    assert states(database, plan_id) == {"A1": "written", "C1": "written"}


def test_a_contact_follows_an_account_found_already_with_its_new_owner(
    database: Database,
) -> None:
    crm = _crm({"A1": "005NEW"}, {"C1": "005OLD"})
    plan_id = saved_plan(
        database, [change("A1", "005OLD", "005NEW"), related_change("C1", "A1", "005OLD", "005NEW")]
    )

    apply_plan(context(database), plan_id, {SF: crm})

    assert crm.related["contact"].writes == [("C1", "005NEW")]
    assert states(database, plan_id) == {"A1": "skipped", "C1": "written"}
