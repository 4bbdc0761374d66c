"""The plan adds the related records the rules of engagement move, and no others."""

from __future__ import annotations

from mapping.territories import parse_territory_text
from mapping.territories.related_rules import RelatedRecordRules
from sync.companies import RepIndex
from sync.related_changes import RelatedPlanner
from sync.store.database import Database
from tests.sync.related_support import store_contacts, store_opportunities
from tests.sync.support import SF, change


def _planner(database: Database, related: str = "") -> RelatedPlanner:
    text = f"""
version: 1
settings:
  related_records: {{{related}}}
territories:
  - name: A
    members: [{{email: a@x.example}}]
"""
    rules = (
        parse_territory_text(text, "t.yaml").settings.related if related else RelatedRecordRules()
    )
    return RelatedPlanner(database, rules, RepIndex({}))


def _moved(planner: RelatedPlanner, *accounts: str) -> dict[str, tuple[str, str | None, str]]:
    changes = planner.following([change(a, "005OLD", "005NEW") for a in accounts])
    return {
        c.external_id: (c.object_name, c.old_owner_id, c.new_owner_id or "")
        for c in changes
        if c.object_name != "account"
    }


def test_by_default_the_contacts_the_previous_owner_owned_follow_and_no_opportunity(
    database: Database,
) -> None:
    store_contacts(
        database, {"C1": ("A1", "005OLD"), "C2": ("A1", "005SDR"), "C3": ("A2", "005OLD")}
    )
    store_opportunities(database, {"O1": ("A1", "005OLD", False, "Prospecting")})

    assert _moved(_planner(database), "A1") == {"C1": ("contact", "005OLD", "005NEW")}


def test_follow_account_moves_every_contact_of_a_moved_account(database: Database) -> None:
    store_contacts(database, {"C1": ("A1", "005OLD"), "C2": ("A1", "005SDR")})

    moved = _moved(_planner(database, "contacts: follow_account"), "A1")

    assert sorted(moved) == ["C1", "C2"]


def test_open_opportunities_follow_and_closed_ones_never_do(database: Database) -> None:
    store_opportunities(
        database,
        {
            "O1": ("A1", "005OLD", False, "Prospecting"),
            "O2": ("A1", "005OVERLAY", False, "Negotiation/Review"),
            "O3": ("A1", "005OLD", True, "Closed Won"),
        },
    )

    moved = _moved(_planner(database, "contacts: stay, open_opportunities: follow"), "A1")

    assert sorted(moved) == ["O1", "O2"]


def test_follow_before_stage_leaves_late_stage_opportunities_with_their_owner(
    database: Database,
) -> None:
    store_opportunities(
        database,
        {
            "O1": ("A1", "005OLD", False, "Qualification"),
            "O2": ("A1", "005OLD", False, "Proposal/Price Quote"),
            "O3": ("A1", "005OLD", False, "Negotiation/Review"),
        },
    )
    planner = _planner(
        database,
        "contacts: stay, salesforce: {open_opportunities: "
        "{follow_before_stage: Proposal/Price Quote}}",
    )

    assert sorted(_moved(planner, "A1")) == ["O1"]
    assert planner.figures.as_dict()["stay"] == {"salesforce opportunity": 2}


def test_a_contact_already_with_the_new_owner_needs_no_change(database: Database) -> None:
    store_contacts(database, {"C1": ("A1", "005NEW")})

    planner = _planner(database, "contacts: follow_account")

    assert _moved(planner, "A1") == {}
    assert planner.figures.as_dict()["already_owned"] == {"salesforce contact": 1}


def test_a_related_change_names_its_account_and_rule(database: Database) -> None:
    store_contacts(database, {"C1": ("A1", "005OLD")})

    related = [c for c in _planner(database).following([change("A1", "005OLD", "005NEW")])][1]

    assert related.source == SF
    assert related.parent_external_id == "A1"
    assert related.rule == "contacts:owned_by_previous_owner"
    assert related.reason is not None and "follows its account A1" in related.reason
