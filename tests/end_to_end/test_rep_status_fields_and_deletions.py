"""Rep status per CRM, the fields a territory file uses, and records deleted behind our back."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from sync.runner import SyncRequest
from sync.saved_plans import apply_saved_plan
from territory_sync.cli import main
from tests.end_to_end.conftest import TERRITORIES, Product

HOLDOUTS = """
holdouts:
  - name: Flagged do not reassign
    criteria:
      any:
        - field: Do_Not_Reassign__c
          equals: true
        - field: do_not_reassign
          equals: "true"
"""
MAYA = "maya.chen@acme-revenue.example"


def stored(product: Product, source: str, record: str) -> tuple[str | None, bool]:
    with product.database.engine.connect() as connection:
        owner, deleted = connection.execute(
            text("SELECT owner_id, deleted FROM accounts WHERE source = :s AND external_id = :r"),
            {"s": source, "r": record},
        ).one()
    return owner, bool(deleted)


def test_a_holdout_on_a_custom_field_works_with_nothing_configured_but_the_territory_file(
    product: Product,
) -> None:
    without = product.sync(dry_run=True)
    moving = [
        (c.source, c.external_id)
        for c in without.changes
        if c.new_owner_id and c.object_name == "account"
    ]
    would_move = set(moving[::3])
    assert would_move
    for source, record in would_move:
        crm = product.sandbox.salesforce if source == "salesforce" else product.sandbox.hubspot
        crm.flag_do_not_reassign_as_person([record])
    before = {source: product.owners(source) for source in ("salesforce", "hubspot")}
    product.use_territories(TERRITORIES + HOLDOUTS)

    result = product.sync()

    assert "Do_Not_Reassign__c" in (result.figures["pull"]["salesforce"]["full_because"] or "")
    assert result.figures["pull"]["salesforce"]["extra_fields"] == ["Do_Not_Reassign__c"]
    assert result.figures["pull"]["hubspot"]["extra_fields"] == ["do_not_reassign"]
    for source, record in would_move:
        assert product.owners(source)[record] == before[source][record]
    assert not {(c.source, c.external_id) for c in result.changes} & would_move


def test_territories_check_names_a_field_no_crm_has(
    product: Product, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERRITORY_SYNC_CONFIG", "")
    text_with_typo = TERRITORIES + HOLDOUTS.replace("Do_Not_Reassign__c", "Do_Not_Move__c")
    product.use_territories(text_with_typo)
    line = 1 + text_with_typo.splitlines().index("        - field: Do_Not_Move__c")

    code = main(
        [
            "--database-url",
            product.database.url,
            "territories",
            "check",
            str(product.territory_file),
        ]
    )

    error = capsys.readouterr().err
    assert code == 2
    assert f"territories.yaml:{line}: field 'Do_Not_Move__c'" in error
    assert "Salesforce's Account object or HubSpot's company properties" in error


def test_a_rep_archived_in_hubspot_only_keeps_all_their_salesforce_accounts(
    product: Product,
) -> None:
    product.sync()
    rep = next(r for r in product.sandbox.book.reps if r.email == MAYA)
    salesforce_before = {
        i for i, owner in product.owners("salesforce").items() if owner == rep.salesforce_user_id
    }
    hubspot_before = {
        i for i, owner in product.owners("hubspot").items() if owner == rep.hubspot_owner_id
    }
    assert salesforce_before and hubspot_before
    product.sandbox.hubspot.archive_owner(rep.hubspot_owner_id)

    result = product.sync()

    salesforce_after = product.owners("salesforce")
    assert all(salesforce_after[i] == rep.salesforce_user_id for i in salesforce_before)
    hubspot_after = product.owners("hubspot")
    moved = {i for i in hubspot_before if hubspot_after[i] != rep.hubspot_owner_id}
    assert moved, "her HubSpot companies go to the territory's other members"
    assert all(hubspot_after[i] in product.sandbox.hubspot.active_owner_ids for i in moved)
    reasons = [c.reason or "" for c in result.changes if c.external_id in moved]
    assert all("inactive in HubSpot" in reason for reason in reasons)
    assert not [
        c
        for c in result.changes
        if c.source == "salesforce" and c.old_owner_id == (rep.salesforce_user_id)
    ]


def test_records_deleted_behind_the_products_back_are_flagged_by_reconciliation(
    product: Product,
) -> None:
    product.sync()
    salesforce_gone = product.record_ids("salesforce")[0]
    hubspot_gone = product.record_ids("hubspot")[0]
    product.sandbox.delete_behind_the_back("salesforce", [salesforce_gone], purge=True)
    product.sandbox.delete_behind_the_back("hubspot", [hubspot_gone])

    assert not stored(product, "salesforce", salesforce_gone)[1], "a pull alone cannot tell"
    result = product.sync(reconcile=True)

    assert result.figures["reconciled"]["salesforce"]["flagged_deleted"] == 1
    assert result.figures["reconciled"]["hubspot"]["flagged_deleted"] == 1
    assert stored(product, "salesforce", salesforce_gone)[1]
    assert stored(product, "hubspot", hubspot_gone)[1]
    with product.database.engine.connect() as connection:
        flagged = connection.execute(
            text("SELECT external_id FROM audit_log WHERE status = 'flagged_deleted'")
        ).scalars()
        assert set(flagged) == {salesforce_gone, hubspot_gone}


def test_a_write_answered_deleted_flags_the_record_and_it_is_not_planned_again(
    product: Product,
) -> None:
    plan = product.sync(plan_only=True)
    assert plan.plan_id is not None
    doomed = {
        source: next(c.external_id for c in plan.changes if c.source == source and c.new_owner_id)
        for source in ("salesforce", "hubspot")
    }
    for source, record in doomed.items():
        product.sandbox.delete_behind_the_back(source, [record], purge=True)  # type: ignore[arg-type]

    applied = apply_saved_plan(
        product.settings, product.database, plan.plan_id, SyncRequest(actor="test")
    )

    assert applied.figures["deleted"] == 2
    for source, record in doomed.items():
        assert stored(product, source, record)[1]
    again = product.sync(dry_run=True)
    assert not {(c.source, c.external_id) for c in again.changes} & set(doomed.items())
