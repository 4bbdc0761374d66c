"""The daily API allocation, the Sforce-Limit-Info header, /limits, and injected faults."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceGeneralError, SalesforceRefusedRequest

from sandbox.faults import FaultProfile
from sandbox.seed import SeedRep
from tests.sandbox.salesforce.conftest import FakeClock, MakeSandbox, Sandbox, account, error_body


def test_limit_info_header_is_parsed_into_api_usage(sandbox: Sandbox) -> None:
    sf = sandbox.client()
    sf.query("SELECT Id FROM Account")
    sf.query("SELECT Id FROM Account")

    usage = sf.api_usage["api-usage"]
    assert (usage.used, usage.total) == (2, 150_000)


def test_default_allocation_is_100000_plus_1000_per_licence(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    sandbox = make_sandbox([account(1, team[0])], licences=7)

    limits = sandbox.client().limits()

    assert limits["DailyApiRequests"] == {"Max": 107_000, "Remaining": 106_999}


def test_limits_lists_daily_api_and_bulk_allocations(sandbox: Sandbox) -> None:
    limits = sandbox.client().limits()

    assert {"DailyApiRequests", "DailyBulkV2QueryJobs", "DailyBulkV2QueryFileStorageMB"} <= set(
        limits
    )
    assert set(limits["DailyBulkV2QueryJobs"]) == {"Max", "Remaining"}


def test_exhausted_daily_allocation_refuses_calls_with_request_limit_exceeded(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    sandbox = make_sandbox([account(1, team[0])], daily_allocation=3)
    sf = sandbox.client()
    for _ in range(3):
        sf.query("SELECT Id FROM Account")

    with pytest.raises(SalesforceRefusedRequest) as error:
        sf.query("SELECT Id FROM Account")

    assert error.value.status == 403
    assert error_body(error.value) == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    assert sandbox.org.api_calls_used() == 3


def test_fault_profile_can_override_the_daily_allocation(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    sandbox = make_sandbox([account(1, team[0])], faults=FaultProfile(daily_allocation=1))
    sf = sandbox.client()
    sf.query("SELECT Id FROM Account")

    with pytest.raises(SalesforceRefusedRequest):
        sf.query("SELECT Id FROM Account")


def test_allocation_starts_afresh_the_next_day(
    make_sandbox: MakeSandbox, team: list[SeedRep], clock: FakeClock
) -> None:
    sandbox = make_sandbox([account(1, team[0])], daily_allocation=1)
    sf = sandbox.client()
    sf.query("SELECT Id FROM Account")
    clock.advance(86_400)

    assert sf.query("SELECT Id FROM Account")["totalSize"] == 1


def test_throttle_fault_is_the_concurrent_request_limit_and_changes_nothing(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    sandbox = make_sandbox([account(1, team[0])], faults=FaultProfile(rate_429=1.0))
    record_id = sandbox.org.accounts[0].crm_id

    with pytest.raises(SalesforceRefusedRequest) as error:
        sandbox.client().restful(
            "composite/sobjects",
            method="PATCH",
            json={
                "records": [
                    {
                        "attributes": {"type": "Account"},
                        "id": record_id,
                        "OwnerId": team[1].salesforce_user_id,
                    }
                ]
            },
        )

    assert error_body(error.value)[0] == {
        "message": "ConcurrentPerOrgLongTxn Limit exceeded.",
        "errorCode": "REQUEST_LIMIT_EXCEEDED",
    }
    assert sandbox.org.owner_of(record_id) == team[0].salesforce_user_id
    assert sandbox.org.api_calls_used() == 0


def test_server_error_fault_is_503_server_unavailable(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    sandbox = make_sandbox([account(1, team[0])], faults=FaultProfile(rate_5xx=1.0))

    with pytest.raises(SalesforceGeneralError) as error:
        sandbox.client().query("SELECT Id FROM Account")

    assert error.value.status == 503
    assert error_body(error.value)[0]["errorCode"] == "SERVER_UNAVAILABLE"


def test_faults_are_deterministic_for_a_seed(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    def outcomes() -> list[int]:
        sandbox = make_sandbox([account(1, team[0])], faults=FaultProfile(rate_5xx=0.5))
        token = sandbox.token()
        return [
            sandbox.api("GET", "/query", token, params={"q": "SELECT Id FROM Account"}).status_code
            for _ in range(12)
        ]

    first, second = outcomes(), outcomes()

    assert first == second
    assert {200, 503} == set(first)


def test_limit_info_header_is_on_error_responses_too(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    sandbox = make_sandbox([account(1, team[0])])
    token = sandbox.token()

    response = sandbox.api("GET", "/query", token, params={"q": "SELECT Nope FROM Account"})

    assert response.status_code == 400
    assert response.headers["Sforce-Limit-Info"] == "api-usage=1/150000"
