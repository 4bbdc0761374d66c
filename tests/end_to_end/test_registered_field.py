"""Adding a pulled field is one entry in the field registry: declared, it is pulled from both
sandbox CRMs through the real client libraries, stored with the account, and a territory whose
criterion tests it by its unified name takes the accounts it matches."""

from __future__ import annotations

import pytest
from sqlalchemy import Table, select

from mapping.model.accounts import Account
from mapping.model.companies import CompanyLink
from mapping.registry import FieldKind, UnifiedField, flag, registered
from territory_sync.errors import TerritoryFileError
from tests.end_to_end.conftest import TERRITORIES, Product

OWNER_LOCKED = UnifiedField(
    "owner_locked",
    FieldKind.FLAG,
    flag,
    {"salesforce": "Do_Not_Reassign__c", "hubspot": "do_not_reassign"},
)
EMILY = "emily.johnson@acme-revenue.example"
LOCKED_TERRITORY = f"""\
  - name: Locked
    priority: 10
    criteria:
      field: owner_locked
      equals: true
    assignment: single
    members:
      - email: {EMILY}
"""
ACCOUNTS: Table = Account.__table__  # type: ignore[attr-defined]
LINKS: Table = CompanyLink.__table__  # type: ignore[attr-defined]


def unlinked_moves(product: Product) -> dict[str, list[str]]:
    """CRM -> records of single-record businesses that the plain territory file would move to
    someone other than Emily."""
    plan = product.sync(dry_run=True)
    with product.database.engine.connect() as connection:
        links = connection.execute(select(LINKS.c.salesforce_id, LINKS.c.hubspot_id)).all()
    linked = {("salesforce", sf) for sf, _ in links} | {("hubspot", hs) for _, hs in links}
    moves: dict[str, list[str]] = {"salesforce": [], "hubspot": []}
    for change in plan.changes:
        key = (change.source, change.external_id)
        if change.new_owner_id and change.old_owner_email != EMILY and key not in linked:
            moves[change.source].append(change.external_id)
    return moves


def stored_raw(product: Product, source: str, record: str) -> dict[str, object]:
    with product.database.engine.connect() as connection:
        raw: dict[str, object] = connection.execute(
            select(ACCOUNTS.c.raw).where(
                ACCOUNTS.c.source == source, ACCOUNTS.c.external_id == record
            )
        ).scalar_one()
    return raw


def test_a_field_added_to_the_registry_is_pulled_stored_and_matched_by_a_territory(
    product: Product,
) -> None:
    moves = unlinked_moves(product)
    flagged = {source: records[:3] for source, records in moves.items()}
    assert flagged["salesforce"] and flagged["hubspot"]
    product.sandbox.salesforce.flag_do_not_reassign_as_person(flagged["salesforce"])
    product.sandbox.hubspot.flag_do_not_reassign_as_person(flagged["hubspot"])
    product.use_territories(TERRITORIES + LOCKED_TERRITORY)
    with pytest.raises(TerritoryFileError, match="owner_locked"):
        product.sync(dry_run=True)

    with registered(OWNER_LOCKED):
        result = product.sync(dry_run=True)

    pulls = result.figures["pull"]
    assert pulls["salesforce"]["extra_fields"] == ["Do_Not_Reassign__c"]
    assert pulls["hubspot"]["extra_fields"] == ["do_not_reassign"]
    assert "Do_Not_Reassign__c" in (pulls["salesforce"]["full_because"] or "")
    for record in flagged["salesforce"]:
        assert stored_raw(product, "salesforce", record)["Do_Not_Reassign__c"] is True
    for record in flagged["hubspot"]:
        assert stored_raw(product, "hubspot", record)["do_not_reassign"] == "true"
    placed = {(c.source, c.external_id): (c.territory, c.new_owner_email) for c in result.changes}
    for source, records in flagged.items():
        for record in records:
            assert placed[(source, record)] == ("Locked", EMILY)
