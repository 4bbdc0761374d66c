"""sObject Collections updates of contact and opportunity owners: per-record results, mixed
batches, lost answers after the write landed, person edits and the request log."""

from __future__ import annotations

from typing import Any, cast

import pytest
import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceGeneralError

from sandbox.fault_schedule import ScheduledFault
from sandbox.faults import FaultProfile
from sandbox.seed import SeedRep
from tests.sandbox.salesforce.conftest import FakeClock, Sandbox, account, error_body
from tests.sandbox.salesforce.related.conftest import MakeRelatedSandbox, contact, opportunity

BROKEN_CONNECTION = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)


def owner_write(sobject: str, record_id: str, owner_id: str | None) -> dict[str, Any]:
    return {"attributes": {"type": sobject}, "id": record_id, "OwnerId": owner_id}


def update(sf: Salesforce, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = sf.restful("composite/sobjects", method="PATCH", json={"records": records})
    return cast(list[dict[str, Any]], result)


def codes(results: list[dict[str, Any]]) -> list[str | None]:
    return [r["errors"][0]["statusCode"] if r["errors"] else None for r in results]


def test_one_call_moves_an_account_its_contacts_and_its_opportunities(
    related: Sandbox, team: list[SeedRep]
) -> None:
    bob = team[1].salesforce_user_id
    org = related.org
    named = [
        ("Account", org.accounts[0].crm_id),
        ("Contact", org.contacts[0].crm_id),
        ("Contact", org.contacts[1].crm_id),
        ("Opportunity", org.opportunities[0].crm_id),
    ]

    results = update(related.client(), [owner_write(kind, i, bob) for kind, i in named])

    assert [(r["id"], r["success"]) for r in results] == [(i, True) for _, i in named]
    assert [org.owner_of(i) for _, i in named] == [bob] * 4
    (write,) = [r for r in org.requests.records() if r.kind == "collections-update"]
    assert write.records_written == tuple(i for _, i in named)
    assert write.owners_written == (bob,) * 4


def test_contact_and_opportunity_writes_fail_per_record_as_account_writes_do(
    related: Sandbox, team: list[SeedRep]
) -> None:
    alice, bob, carol = team
    org = related.org
    gone = org.contacts[2].crm_id
    org.delete_records([gone])

    results = update(
        related.client(),
        [
            owner_write("Contact", org.contacts[0].crm_id, carol.salesforce_user_id),
            owner_write("Contact", gone, bob.salesforce_user_id),
            owner_write("Opportunity", "006000000000999AAA", bob.salesforce_user_id),
            owner_write("Contact", org.opportunities[0].crm_id, bob.salesforce_user_id),
            owner_write("Opportunity", org.opportunities[0].crm_id, "005000000000999AAA"),
        ],
    )

    assert codes(results) == [
        "INACTIVE_OWNER_OR_USER",
        "ENTITY_IS_DELETED",
        "INVALID_CROSS_REFERENCE_KEY",
        "MALFORMED_ID",
        "INVALID_CROSS_REFERENCE_KEY",
    ]
    assert results[0]["errors"][0]["message"] == (
        f"operation performed with inactive user [{carol.salesforce_user_id}] as owner of contact"
    )
    assert results[3]["errors"][0]["message"].startswith("Contact ID: id value of incorrect type")
    assert results[4]["errors"][0]["fields"] == ["OwnerId"]
    assert {org.owner_of(c.crm_id) for c in org.contacts[:3]} == {alice.salesforce_user_id}
    assert org.requests.writes_per_record() == {}


def test_a_closed_opportunity_takes_an_owner_write_like_any_record(
    related: Sandbox, team: list[SeedRep]
) -> None:
    won = related.org.opportunities[1]
    assert won.closed

    results = update(
        related.client(), [owner_write("Opportunity", won.crm_id, team[1].salesforce_user_id)]
    )

    assert results[0]["success"] is True
    assert related.org.owner_of(won.crm_id) == team[1].salesforce_user_id


def test_only_owner_id_may_be_written_on_contacts_and_opportunities(related: Sandbox) -> None:
    person, deal = related.org.contacts[0], related.org.opportunities[0]

    results = update(
        related.client(),
        [
            {"attributes": {"type": "Contact"}, "id": person.crm_id, "Email": "x@example.com"},
            {"attributes": {"type": "Contact"}, "id": person.crm_id, "Do_Not_Reassign__c": True},
            {"attributes": {"type": "Opportunity"}, "id": deal.crm_id, "StageName": "Closed Won"},
        ],
    )

    assert codes(results) == [
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        "INVALID_FIELD",
        "INVALID_FIELD_FOR_INSERT_UPDATE",
    ]
    assert results[0]["errors"][0]["message"].endswith("accepts updates to OwnerId only.")
    assert (person.email, deal.stage) == ("person1@example.com", "Prospecting")


def test_a_write_stamps_the_request_second_as_the_system_modstamp(
    related: Sandbox, team: list[SeedRep], clock: FakeClock
) -> None:
    deal = related.org.opportunities[0]
    clock.seconds = 1_767_300_000.789

    update(related.client(), [owner_write("Opportunity", deal.crm_id, team[1].salesforce_user_id)])

    stamp = related.client().query(
        f"SELECT SystemModstamp FROM Opportunity WHERE Id = '{deal.crm_id}'"
    )
    assert stamp["records"][0]["SystemModstamp"] == "2026-01-01T20:40:00.000+0000"


def test_a_write_answered_503_after_applying_has_changed_contact_and_opportunity_owners(
    related: Sandbox, team: list[SeedRep]
) -> None:
    related.org.set_fault_schedule([ScheduledFault("collections-update", 1, "applied_5xx")])
    bob = team[1].salesforce_user_id
    person, deal = related.org.contacts[0].crm_id, related.org.opportunities[0].crm_id

    with pytest.raises(SalesforceGeneralError) as error:
        update(
            related.client(),
            [owner_write("Contact", person, bob), owner_write("Opportunity", deal, bob)],
        )

    assert error.value.status == 503
    assert error_body(error.value)[0]["errorCode"] == "SERVER_UNAVAILABLE"
    assert (related.org.owner_of(person), related.org.owner_of(deal)) == (bob, bob)
    logged = related.org.requests.records()[-1]
    assert (logged.status, logged.fault, logged.records_written) == (
        503,
        "applied_5xx",
        (person, deal),
    )


def test_a_dropped_answer_to_a_contact_write_is_a_broken_connection_and_the_owner_changed(
    related: Sandbox, team: list[SeedRep]
) -> None:
    related.org.set_fault_schedule([ScheduledFault("collections-update", 1, "applied_drop")])
    bob = team[1].salesforce_user_id
    person = related.org.contacts[0].crm_id

    with pytest.raises(BROKEN_CONNECTION):
        related.api(
            "PATCH",
            "/composite/sobjects",
            related.token(),
            json={"records": [owner_write("Contact", person, bob)]},
        )

    assert related.org.owner_of(person) == bob
    assert related.org.requests.writes_per_record() == {person: 1}


def test_a_stalled_answer_to_an_opportunity_write_times_out_and_the_owner_changed(
    make_related_sandbox: MakeRelatedSandbox, team: list[SeedRep]
) -> None:
    alice, bob = team[0], team[1].salesforce_user_id
    holder = account(1, alice)
    sandbox = make_related_sandbox(
        [holder],
        opportunities=[opportunity(1, holder, alice)],
        faults=FaultProfile(applied_timeout=1.0, stall_seconds=1.0),
    )
    deal = sandbox.org.opportunities[0].crm_id

    with pytest.raises(requests.exceptions.ReadTimeout):
        sandbox.api(
            "PATCH",
            "/composite/sobjects",
            sandbox.token(),
            json={"records": [owner_write("Opportunity", deal, bob)]},
            timeout=0.2,
        )

    assert sandbox.org.owner_of(deal) == bob


def test_person_edits_during_a_lost_contact_write_reassign_the_contact_and_are_logged(
    related: Sandbox, team: list[SeedRep], clock: FakeClock
) -> None:
    alice, bob = team[0].salesforce_user_id, team[1].salesforce_user_id
    related.org.set_fault_schedule(
        [ScheduledFault("collections-update", 1, "applied_5xx", person_edits=1)]
    )
    first, second = related.org.contacts[:2]
    clock.seconds = 1_767_300_000.5

    response = related.api(
        "PATCH",
        "/composite/sobjects",
        related.token(),
        json={
            "records": [
                owner_write("Contact", first.crm_id, bob),
                owner_write("Contact", second.crm_id, bob),
            ]
        },
    )

    # The write landed (Bob), then a person moved the first contact on to the only other active
    # user, Alice.
    assert response.status_code == 503
    assert (first.owner_id, second.owner_id) == (alice, bob)
    assert first.modified_ms == 1_767_300_000_000
    assert related.org.requests.person_edits() == {first.crm_id: alice}


def test_a_person_edit_can_follow_a_contact_read(related: Sandbox, team: list[SeedRep]) -> None:
    related.org.set_fault_schedule([ScheduledFault("sobject-get", 1, "503", person_edits=1)])
    person = related.org.contacts[0]

    response = related.api("GET", f"/sobjects/Contact/{person.crm_id}", related.token())

    assert response.status_code == 503
    assert person.owner_id == team[1].salesforce_user_id
    assert related.org.requests.person_edits() == {person.crm_id: team[1].salesforce_user_id}


def test_the_assignment_rule_reroutes_account_owners_only(
    make_related_sandbox: MakeRelatedSandbox, team: list[SeedRep]
) -> None:
    alice, bob = team[0], team[1].salesforce_user_id
    holder = account(1, alice)
    sandbox = make_related_sandbox(
        [holder],
        [contact(1, holder, alice)],
        [opportunity(1, holder, alice)],
        assignment_rule_owner_id=alice.salesforce_user_id,
    )
    person, deal = sandbox.org.contacts[0].crm_id, sandbox.org.opportunities[0].crm_id

    update(
        sandbox.client(),
        [
            owner_write("Account", holder.crm_id, bob),
            owner_write("Contact", person, bob),
            owner_write("Opportunity", deal, bob),
        ],
    )

    assert [sandbox.org.owner_of(i) for i in (holder.crm_id, person, deal)] == [
        alice.salesforce_user_id,
        bob,
        bob,
    ]


def test_lock_errors_fail_contact_records_without_changing_them(
    make_related_sandbox: MakeRelatedSandbox, team: list[SeedRep]
) -> None:
    alice = team[0]
    holder = account(1, alice)
    sandbox = make_related_sandbox(
        [holder], [contact(1, holder, alice)], faults=FaultProfile(lock_errors=1.0)
    )
    person = sandbox.org.contacts[0].crm_id

    results = update(sandbox.client(), [owner_write("Contact", person, team[1].salesforce_user_id)])

    assert codes(results) == ["UNABLE_TO_LOCK_ROW"]
    assert sandbox.org.owner_of(person) == alice.salesforce_user_id


def test_an_object_the_org_does_not_update_is_invalid_type(related: Sandbox) -> None:
    results = update(
        related.client(),
        [owner_write("Lead", "00Q5g000000001AAAA", related.org.users[1].salesforce_user_id)],
    )

    assert codes(results) == ["INVALID_TYPE"]
    assert "only Account, Contact and Opportunity records can" in results[0]["errors"][0]["message"]
