"""The org's in-process API for contacts and opportunities: reading, a person's edits, deletion,
mass updates and creation, dispatched by the id's key prefix."""

from __future__ import annotations

import pytest

from sandbox.salesforce import SalesforceOrg
from sandbox.seed import SeedRep, generate_book
from tests.sandbox.salesforce.conftest import FakeClock, Sandbox


def test_the_org_holds_the_seed_records_themselves_in_id_order(related: Sandbox) -> None:
    org = related.org

    assert [c.crm_id for c in org.contacts] == sorted(c.crm_id for c in org.contacts)
    assert org.contact(org.contacts[0].crm_id) is org.contacts[0]
    assert org.opportunity(org.opportunities[0].crm_id) is org.opportunities[0]
    assert org.contact(org.opportunities[0].crm_id) is None


def test_a_persons_owner_change_on_a_contact_stamps_its_system_modstamp(
    related: Sandbox, team: list[SeedRep], clock: FakeClock
) -> None:
    person = related.org.contacts[0]
    clock.seconds = 1_767_300_000.5

    related.org.change_owner_as_person(person.crm_id, team[1].salesforce_user_id)

    assert related.org.owner_of(person.crm_id) == team[1].salesforce_user_id
    assert person.modified_ms == 1_767_300_000_000
    assert related.org.requests.writes_per_record() == {}


def test_a_persons_owner_change_through_the_control_api_works_for_opportunities(
    related: Sandbox, team: list[SeedRep]
) -> None:
    deal = related.org.opportunities[0].crm_id

    response = related.post(
        "/__sandbox/owner-changes",
        json={"changes": [{"id": deal, "owner_id": team[1].salesforce_user_id}]},
    )

    assert response.json() == {"changed": 1}
    assert related.org.owner_of(deal) == team[1].salesforce_user_id


def test_an_id_of_no_served_object_is_a_key_error(related: Sandbox) -> None:
    with pytest.raises(KeyError, match="key prefix"):
        related.org.owner_of("00Q5g000000001AAAA")
    with pytest.raises(KeyError, match="no Contact"):
        related.org.owner_of("0035g000000999AAAA")


def test_purged_contacts_are_gone_from_query_all_and_from_their_accounts_filter(
    related: Sandbox,
) -> None:
    first_account = related.org.accounts[0].crm_id
    gone, kept = (c.crm_id for c in related.org.contacts[:2])

    purged = related.org.delete_records([gone], purge=True)

    rows = related.client().query_all(
        f"SELECT Id FROM Contact WHERE AccountId IN ('{first_account}')", include_deleted=True
    )
    assert purged == 1
    assert [r["Id"] for r in rows["records"]] == [kept]
    assert related.org.contact(gone) is None


def test_a_mass_update_stamps_contacts_and_opportunities_alike(related: Sandbox) -> None:
    ids = [related.org.contacts[0].crm_id, related.org.opportunities[0].crm_id]

    stamp = related.org.mass_update(ids, 1_767_300_000_999)

    assert stamp == 1_767_300_000_000
    assert [related.org.contacts[0].modified_ms, related.org.opportunities[0].modified_ms] == [
        stamp,
        stamp,
    ]


def test_created_contacts_are_found_by_their_account(
    related: Sandbox, team: list[SeedRep], clock: FakeClock
) -> None:
    third = related.org.accounts[2].crm_id

    (new_id,) = related.org.create_contacts([{"account_id": third, "last_name": "Newcomer"}])

    rows = related.client().query_all(
        f"SELECT Id, Name, OwnerId, CreatedDate FROM Contact WHERE AccountId = '{third}' "
        "ORDER BY Id"
    )["records"]
    assert new_id.startswith("003")
    assert rows[-1] == {
        "attributes": {"type": "Contact", "url": f"/services/data/v59.0/sobjects/Contact/{new_id}"},
        "Id": new_id,
        "Name": "New Newcomer",
        "OwnerId": related.org.integration_user_id,
        "CreatedDate": "2026-01-01T01:00:00.000+0000",
    }
    assert len(rows) == 2


def test_created_opportunities_are_closed_and_won_as_their_stage_says(
    related: Sandbox, team: list[SeedRep]
) -> None:
    first = related.org.accounts[0].crm_id

    won_id, open_id = related.org.create_opportunities(
        [
            {"account_id": first, "stage": "Closed Won", "owner_id": team[1].salesforce_user_id},
            {"account_id": first, "close_date_ms": 1_775_000_000_000},
        ]
    )

    won, still_open = related.org.opportunity(won_id), related.org.opportunity(open_id)
    assert won is not None and still_open is not None
    assert (won.closed, won.won, won.owner_id) == (True, True, team[1].salesforce_user_id)
    assert (still_open.closed, still_open.stage) == (False, "Prospecting")
    assert still_open.close_date_ms % 86_400_000 == 0


def test_creating_records_of_an_unknown_account_or_field_creates_nothing(
    related: Sandbox,
) -> None:
    before = len(related.org.contacts)

    with pytest.raises(KeyError):
        related.org.create_contacts([{"last_name": "A"}, {"account_id": "0015g0000000999AAA"}])
    with pytest.raises(ValueError, match="unknown opportunity field"):
        related.org.create_opportunities([{"probability": 10}])

    assert len(related.org.contacts) == before


def test_the_state_counts_live_and_deleted_contacts_and_opportunities(related: Sandbox) -> None:
    related.org.delete_records([related.org.contacts[0].crm_id])

    state = related.get("/__sandbox/state").json()

    assert {k: state[k] for k in ("records", "contacts", "deleted_contacts", "opportunities")} == {
        "records": 3,
        "contacts": 4,
        "deleted_contacts": 1,
        "opportunities": 3,
    }


def test_an_org_built_from_a_generated_book_counts_its_related_records() -> None:
    book = generate_book(20, seed=3)
    org = SalesforceOrg(
        book.reps,
        book.salesforce,
        contacts=book.salesforce_contacts,
        opportunities=book.salesforce_opportunities,
    )

    summary = org.state_summary()

    assert summary["contacts"] == len(book.salesforce_contacts) > 0
    assert summary["opportunities"] == len(book.salesforce_opportunities) > 0
    assert org.contacts[0] is min(book.salesforce_contacts, key=lambda c: c.crm_id)
