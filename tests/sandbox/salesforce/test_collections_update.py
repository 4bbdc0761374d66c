"""sObject Collections update: per-record results in order, allOrNone, auto-assignment, writes."""

from __future__ import annotations

from typing import Any, cast

import pytest
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandbox.faults import FaultProfile
from sandbox.seed import SeedRep
from tests.sandbox.salesforce.conftest import FakeClock, MakeSandbox, Sandbox, account, error_body


def owner_write(record_id: str, owner_id: str | None, **extra: Any) -> dict[str, Any]:
    return {"attributes": {"type": "Account"}, "id": record_id, "OwnerId": owner_id, **extra}


def update(sf: Salesforce, records: list[dict[str, Any]], **body: Any) -> list[dict[str, Any]]:
    result = sf.restful("composite/sobjects", method="PATCH", json={"records": records, **body})
    return cast(list[dict[str, Any]], result)


def codes(results: list[dict[str, Any]]) -> list[str | None]:
    return [r["errors"][0]["statusCode"] if r["errors"] else None for r in results]


def test_partial_failure_answers_each_record_in_input_order(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    alice, bob, carol = team
    accounts = [account(n, alice) for n in range(1, 5)] + [account(5, alice, deleted=True)]
    sandbox = make_sandbox(accounts)
    unknown_user = "005000000000999AAA"

    results = update(
        sandbox.client(),
        [
            owner_write(accounts[0].crm_id, bob.salesforce_user_id),
            owner_write(accounts[1].crm_id, unknown_user),
            owner_write(accounts[2].crm_id, carol.salesforce_user_id),
            owner_write(accounts[4].crm_id, bob.salesforce_user_id),
            owner_write(accounts[3].crm_id, bob.salesforce_user_id),
        ],
    )

    assert [r.get("id") for r in results] == [
        accounts[0].crm_id,
        accounts[1].crm_id,
        accounts[2].crm_id,
        accounts[4].crm_id,
        accounts[3].crm_id,
    ]
    assert [r["success"] for r in results] == [True, False, False, False, True]
    assert codes(results) == [
        None,
        "INVALID_CROSS_REFERENCE_KEY",
        "INACTIVE_OWNER_OR_USER",
        "ENTITY_IS_DELETED",
        None,
    ]
    assert results[1]["errors"][0]["fields"] == ["OwnerId"]
    owners = [sandbox.org.owner_of(a.crm_id) for a in accounts]
    assert owners == [bob.salesforce_user_id] + [alice.salesforce_user_id] * 2 + [
        bob.salesforce_user_id,
        alice.salesforce_user_id,
    ]


def test_request_log_names_every_record_whose_owner_the_call_set_even_to_the_same_owner(
    sandbox: Sandbox, team: list[SeedRep]
) -> None:
    alice, bob, _ = team
    first, second = sandbox.org.accounts[:2]

    update(
        sandbox.client(),
        [
            owner_write(first.crm_id, bob.salesforce_user_id),
            owner_write(second.crm_id, alice.salesforce_user_id),  # already Alice's
        ],
    )

    (write,) = [r for r in sandbox.org.requests.records() if r.kind == "collections-update"]
    assert write.records_written == (first.crm_id, second.crm_id)
    assert write.owners_written == (bob.salesforce_user_id, alice.salesforce_user_id)


def test_all_or_none_rolls_everything_back(sandbox: Sandbox, team: list[SeedRep]) -> None:
    alice, bob, carol = team
    first, second = sandbox.org.accounts[:2]

    results = update(
        sandbox.client(),
        [
            owner_write(first.crm_id, bob.salesforce_user_id),
            owner_write(second.crm_id, carol.salesforce_user_id),
        ],
        allOrNone=True,
    )

    assert codes(results) == ["ALL_OR_NONE_OPERATION_ROLLED_BACK", "INACTIVE_OWNER_OR_USER"]
    assert sandbox.org.owner_of(first.crm_id) == alice.salesforce_user_id
    assert sandbox.org.requests.writes_per_record() == {}


def test_more_than_200_records_is_refused_as_a_whole(sandbox: Sandbox, team: list[SeedRep]) -> None:
    record_id = sandbox.org.accounts[0].crm_id

    with pytest.raises(SalesforceMalformedRequest) as error:
        update(sandbox.client(), [owner_write(record_id, team[1].salesforce_user_id)] * 201)

    assert error_body(error.value) == [
        {
            "message": "record limit reached. cannot submit more than 200 records into this call",
            "errorCode": "EXCEEDED_ID_LIMIT",
        }
    ]
    assert sandbox.org.owner_of(record_id) == team[0].salesforce_user_id


def test_bad_record_ids(sandbox: Sandbox, team: list[SeedRep]) -> None:
    bob = team[1].salesforce_user_id

    results = update(
        sandbox.client(),
        [
            owner_write("not-an-id", bob),
            owner_write("001000000000999AAA", bob),
            owner_write(team[0].salesforce_user_id, bob),
            {"attributes": {"type": "Account"}, "OwnerId": bob},
        ],
    )

    assert codes(results) == [
        "MALFORMED_ID",
        "INVALID_CROSS_REFERENCE_KEY",
        "MALFORMED_ID",
        "MISSING_ARGUMENT",
    ]
    assert results[0] == {
        "success": False,
        "errors": [
            {
                "statusCode": "MALFORMED_ID",
                "message": "Account ID: id value of incorrect type: not-an-id",
                "fields": ["Id"],
            }
        ],
    }
    assert results[1]["id"] == "001000000000999AAA"


def test_owner_must_be_a_user(sandbox: Sandbox) -> None:
    record_id = sandbox.org.accounts[0].crm_id
    queue = "00G5g000000001AAAA"

    results = update(sandbox.client(), [owner_write(record_id, queue), owner_write(record_id, "")])

    assert codes(results) == ["INVALID_CROSS_REFERENCE_KEY", "INVALID_CROSS_REFERENCE_KEY"]
    assert results[1]["errors"][0]["message"] == "Owner ID: owner cannot be blank"


def test_only_owner_and_do_not_reassign_may_be_written(
    sandbox: Sandbox, team: list[SeedRep]
) -> None:
    first, second, third = sandbox.org.accounts[:3]

    results = update(
        sandbox.client(),
        [
            {"attributes": {"type": "Account"}, "id": first.crm_id, "Do_Not_Reassign__c": True},
            {"attributes": {"type": "Account"}, "id": second.crm_id, "CreatedDate": "2020"},
            {"attributes": {"type": "Account"}, "id": third.crm_id, "Region__c": "EMEA"},
        ],
    )

    assert codes(results) == [None, "INVALID_FIELD_FOR_INSERT_UPDATE", "INVALID_FIELD"]
    assert first.do_not_reassign is True


def test_a_write_stamps_the_request_second_as_modified_time(
    sandbox: Sandbox, team: list[SeedRep], clock: FakeClock
) -> None:
    first = sandbox.org.accounts[0]
    clock.seconds = 1_767_300_000.789

    update(sandbox.client(), [owner_write(first.crm_id, team[1].salesforce_user_id)])

    stamp = sandbox.client().query(
        f"SELECT SystemModstamp FROM Account WHERE Id = '{first.crm_id}'"
    )
    assert first.modified_ms == 1_767_300_000_000
    assert stamp["records"][0]["SystemModstamp"] == "2026-01-01T20:40:00.000+0000"


def test_active_assignment_rule_reroutes_an_owner_write_without_the_header(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    alice, bob, _ = team
    sandbox = make_sandbox([account(1, bob)], assignment_rule_owner_id=alice.salesforce_user_id)
    record_id = sandbox.org.accounts[0].crm_id

    results = update(sandbox.client(), [owner_write(record_id, bob.salesforce_user_id)])

    assert results[0]["success"] is True
    assert sandbox.org.owner_of(record_id) == alice.salesforce_user_id


def test_auto_assign_false_keeps_the_owner_written(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    alice, bob, _ = team
    sandbox = make_sandbox([account(1, alice)], assignment_rule_owner_id=alice.salesforce_user_id)
    record_id = sandbox.org.accounts[0].crm_id

    sandbox.client().restful(
        "composite/sobjects",
        method="PATCH",
        json={"records": [owner_write(record_id, bob.salesforce_user_id)]},
        headers={"Sforce-Auto-Assign": "FALSE"},
    )

    assert sandbox.org.owner_of(record_id) == bob.salesforce_user_id


def test_lock_errors_fail_records_without_changing_them(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    alice, bob, _ = team
    sandbox = make_sandbox(
        [account(1, alice), account(2, alice)], faults=FaultProfile(lock_errors=1.0)
    )

    results = update(
        sandbox.client(),
        [owner_write(a.crm_id, bob.salesforce_user_id) for a in sandbox.org.accounts],
    )

    assert codes(results) == ["UNABLE_TO_LOCK_ROW", "UNABLE_TO_LOCK_ROW"]
    assert results[0]["errors"][0]["message"] == "unable to obtain exclusive access to this record"
    assert {sandbox.org.owner_of(a.crm_id) for a in sandbox.org.accounts} == {
        alice.salesforce_user_id
    }


def test_body_without_records_is_refused(sandbox: Sandbox) -> None:
    with pytest.raises(SalesforceMalformedRequest) as error:
        sandbox.client().restful("composite/sobjects", method="PATCH", json={"allOrNone": False})

    assert error_body(error.value)[0]["errorCode"] == "JSON_PARSER_ERROR"
