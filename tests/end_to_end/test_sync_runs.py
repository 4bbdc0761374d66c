"""Sync runs against both sandbox CRMs: assign, write once, stay quiet, stop, roll back."""

from __future__ import annotations

from sqlalchemy import text

from sync.rollback import rollback_run
from sync.runner import SyncRequest
from sync.store.runs import RunStatus
from territory_sync.errors import ExitCode
from tests.end_to_end.conftest import ALL_NORTH_AMERICA_TO_ONE_REP, Product


def written_owners(product: Product) -> dict[tuple[str, str], str]:
    """The newest `written` or `rolled_back` audit row per record: what the log says we set."""
    with product.database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT source, external_id, new_owner_id FROM audit_log "
                "WHERE status IN ('written', 'rolled_back') ORDER BY id"
            )
        ).all()
    return {(source, external_id): owner for source, external_id, owner in rows}


def test_a_sync_writes_every_planned_owner_into_both_crms(product: Product) -> None:
    result = product.sync()
    assert result.exit_code == ExitCode.OK
    assert result.figures["written"] == result.figures["planned"] > 0
    for (source, record_id), owner in written_owners(product).items():
        crm = product.sandbox.salesforce if source == "salesforce" else product.sandbox.hubspot
        assert crm.owner_of(record_id) == owner


def test_each_owner_is_written_once_and_a_quiet_rerun_writes_nothing(product: Product) -> None:
    product.sync()
    product.sandbox.salesforce.requests.clear()
    product.sandbox.hubspot.requests.clear()
    second = product.sync()
    assert second.figures["planned"] == 0
    assert product.sandbox.salesforce.requests.writes_per_record() == {}
    assert product.sandbox.hubspot.requests.writes_per_record() == {}
    # Salesforce: a token, the users, and for accounts and for contacts a count and one page;
    # HubSpot: the owners (active and archived) and one search each for companies and contacts.
    assert product.sandbox.salesforce.requests.count() <= 6
    assert product.sandbox.hubspot.requests.count() <= 6


def test_a_dry_run_saves_the_plan_and_writes_nothing(product: Product) -> None:
    result = product.sync(dry_run=True)
    assert result.figures["planned"] > 0
    assert result.plan_id is not None
    assert product.sandbox.salesforce.requests.count("collections-update") == 0
    assert product.sandbox.hubspot.requests.count("batch-update") == 0


def test_a_territory_file_moving_40_percent_is_stopped_by_the_guard_rail(
    product: Product,
) -> None:
    product.settings.sync.blast_radius = 0.10
    product.use_territories(ALL_NORTH_AMERICA_TO_ONE_REP)
    result = product.sync()
    assert result.exit_code == ExitCode.GUARD_RAIL
    assert result.status == RunStatus.STOPPED
    assert result.figures["guard_rails"]["share"] > 0.3
    assert "nothing was written" in result.message
    assert product.sandbox.salesforce.requests.count("collections-update") == 0
    assert product.sandbox.hubspot.requests.count("batch-update") == 0


def test_a_person_changing_an_owner_after_the_plan_is_a_conflict_left_alone(
    product: Product,
) -> None:
    plan = product.sync(plan_only=True)
    change = next(c for c in plan.changes if c.source == "hubspot" and c.new_owner_id)
    person_choice = "41800024"  # another active owner in the sandbox
    product.sandbox.hubspot.change_owner_as_person(change.external_id, person_choice)
    from sync.saved_plans import apply_saved_plan

    assert plan.plan_id is not None
    result = apply_saved_plan(
        product.settings, product.database, plan.plan_id, SyncRequest(actor="test")
    )
    assert result.figures["conflicts"] == 1
    assert product.sandbox.hubspot.owner_of(change.external_id) == person_choice


def test_rollback_restores_previous_owners_and_skips_a_record_changed_since(
    product: Product,
) -> None:
    before = product.owners("salesforce")
    applied = product.sync()
    active = {r.salesforce_user_id for r in product.sandbox.book.reps if r.active}
    changed = [
        c
        for c in applied.changes
        if c.source == "salesforce"
        and c.object_name == "account"
        and c.new_owner_id
        and c.old_owner_id in active
    ]
    touched = changed[0].external_id
    product.sandbox.salesforce.change_owner_as_person(touched, "0055g0000000001AAA")
    result = rollback_run(
        product.settings, product.database, applied.run_id, SyncRequest(actor="test")
    )
    assert result.figures["conflicts"] == 1
    after = product.owners("salesforce")
    assert after[touched] == "0055g0000000001AAA"
    assert all(after[c.external_id] == before[c.external_id] for c in changed[1:])


def test_rollback_leaves_an_account_whose_owner_before_has_left_and_says_so(
    product: Product,
) -> None:
    applied = product.sync()
    inactive = {r.salesforce_user_id for r in product.sandbox.book.reps if not r.active}
    orphan = next(
        c for c in applied.changes if c.source == "salesforce" and c.old_owner_id in inactive
    )
    undone = rollback_run(
        product.settings, product.database, applied.run_id, SyncRequest(actor="test")
    )
    assert undone.figures["failed"] == 0
    with product.database.engine.connect() as connection:
        status, reason = connection.execute(
            text(
                "SELECT status, reason FROM audit_log WHERE external_id = :id "
                "ORDER BY id DESC LIMIT 1"
            ),
            {"id": orphan.external_id},
        ).one()
    assert status == "skipped"
    assert "is no longer active in the CRM" in reason
    assert product.sandbox.salesforce.owner_of(orphan.external_id) == orphan.new_owner_id
