"""Writes applied and then their answers lost (503, dropped connection, stall), fault schedules,
and person edits during a client's back-off, on the Salesforce emulator."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from simple_salesforce.exceptions import SalesforceGeneralError, SalesforceRefusedRequest

from sandbox.fault_schedule import ScheduledFault
from sandbox.faults import FaultProfile
from sandbox.seed import SeedRep
from tests.sandbox.salesforce.conftest import (
    FakeClock,
    MakeSandbox,
    Sandbox,
    account,
    error_body,
    rep,
)

BROKEN_CONNECTION = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)


def owner_writes(*pairs: tuple[str, str]) -> dict[str, Any]:
    return {
        "records": [
            {"attributes": {"type": "Account"}, "id": record_id, "OwnerId": owner}
            for record_id, owner in pairs
        ]
    }


def write(sandbox: Sandbox, token: str, *pairs: tuple[str, str], **kwargs: Any) -> Any:
    return sandbox.api("PATCH", "/composite/sobjects", token, json=owner_writes(*pairs), **kwargs)


@pytest.fixture
def bob(team: list[SeedRep]) -> str:
    return team[1].salesforce_user_id


def test_a_write_answered_503_after_applying_has_changed_the_owner_and_is_logged(
    sandbox: Sandbox, bob: str
) -> None:
    sandbox.org.set_fault_schedule([ScheduledFault("collections-update", 1, "applied_5xx")])
    record_id = sandbox.org.accounts[0].crm_id
    sf = sandbox.client()

    with pytest.raises(SalesforceGeneralError) as error:
        sf.restful("composite/sobjects", method="PATCH", json=owner_writes((record_id, bob)))

    assert error.value.status == 503
    assert error_body(error.value)[0]["errorCode"] == "SERVER_UNAVAILABLE"
    assert sandbox.org.owner_of(record_id) == bob
    (logged,) = sandbox.org.requests.records()[-1:]
    assert (logged.status, logged.fault, logged.records_written) == (
        503,
        "applied_5xx",
        (record_id,),
    )


def test_a_dropped_answer_is_a_broken_connection_and_the_owner_has_changed(
    sandbox: Sandbox, bob: str
) -> None:
    sandbox.org.set_fault_schedule([ScheduledFault("collections-update", 1, "applied_drop")])
    record_id = sandbox.org.accounts[0].crm_id
    token = sandbox.token()

    with pytest.raises(BROKEN_CONNECTION):
        write(sandbox, token, (record_id, bob))

    assert sandbox.org.owner_of(record_id) == bob
    assert sandbox.org.requests.writes_per_record() == {record_id: 1}


def test_after_a_dropped_answer_the_next_call_is_served_normally(
    sandbox: Sandbox, bob: str
) -> None:
    sandbox.org.set_fault_schedule([ScheduledFault("collections-update", 1, "applied_drop")])
    sf = sandbox.client()
    record_id = sandbox.org.accounts[0].crm_id
    with pytest.raises(BROKEN_CONNECTION):
        sf.restful("composite/sobjects", method="PATCH", json=owner_writes((record_id, bob)))

    rows = sf.query(f"SELECT OwnerId FROM Account WHERE Id = '{record_id}'")["records"]

    assert rows[0]["OwnerId"] == bob


def test_a_stall_longer_than_the_client_timeout_times_it_out_and_the_owner_has_changed(
    make_sandbox: MakeSandbox, team: list[SeedRep], bob: str
) -> None:
    sandbox = make_sandbox(
        [account(1, team[0])], faults=FaultProfile(applied_timeout=1.0, stall_seconds=1.0)
    )
    record_id = sandbox.org.accounts[0].crm_id

    with pytest.raises(requests.exceptions.ReadTimeout):
        write(sandbox, sandbox.token(), (record_id, bob), timeout=0.2)

    assert sandbox.org.owner_of(record_id) == bob


def test_a_stall_shorter_than_the_client_timeout_is_answered_normally(
    make_sandbox: MakeSandbox, team: list[SeedRep], bob: str
) -> None:
    sandbox = make_sandbox(
        [account(1, team[0])], faults=FaultProfile(applied_timeout=1.0, stall_seconds=0.05)
    )

    response = write(sandbox, sandbox.token(), (sandbox.org.accounts[0].crm_id, bob))

    assert response.status_code == 200
    assert response.json()[0]["success"] is True


def test_a_write_sent_again_after_a_lost_answer_counts_two_writes(
    sandbox: Sandbox, bob: str
) -> None:
    sandbox.org.set_fault_schedule([ScheduledFault("collections-update", 1, "applied_5xx")])
    record_id = sandbox.org.accounts[0].crm_id
    token = sandbox.token()

    first = write(sandbox, token, (record_id, bob))
    second = write(sandbox, token, (record_id, bob))

    assert (first.status_code, second.status_code) == (503, 200)
    assert sandbox.org.requests.writes_per_record() == {record_id: 2}


def test_a_schedule_strikes_exactly_the_nth_call_of_its_kind_and_only_it(
    sandbox: Sandbox, bob: str
) -> None:
    sandbox.org.set_fault_schedule([ScheduledFault("collections-update", 2, "503")])
    ids = [a.crm_id for a in sandbox.org.accounts[:3]]
    token = sandbox.token()
    sandbox.api("GET", "/query", token, params={"q": "SELECT Id FROM Account"})

    statuses = [write(sandbox, token, (record_id, bob)).status_code for record_id in ids]

    assert statuses == [200, 503, 200]
    assert [sandbox.org.owner_of(i) == bob for i in ids] == [True, False, True]
    faults = [r.fault for r in sandbox.org.requests.records() if r.kind == "collections-update"]
    assert faults == ["", "503", ""]


def test_a_scheduled_429_is_the_orgs_concurrency_refusal_and_changes_nothing(
    sandbox: Sandbox, bob: str, team: list[SeedRep]
) -> None:
    sandbox.org.set_fault_schedule([ScheduledFault("collections-update", 1, "429")])
    record_id = sandbox.org.accounts[0].crm_id
    sf = sandbox.client()

    with pytest.raises(SalesforceRefusedRequest) as error:
        sf.restful("composite/sobjects", method="PATCH", json=owner_writes((record_id, bob)))

    assert error_body(error.value)[0]["message"] == "ConcurrentPerOrgLongTxn Limit exceeded."
    assert sandbox.org.owner_of(record_id) == team[0].salesforce_user_id


def test_an_applied_fault_on_a_read_serves_it_and_loses_the_answer(sandbox: Sandbox) -> None:
    sandbox.org.set_fault_schedule([ScheduledFault("query", 1, "applied_drop")])
    token = sandbox.token()

    with pytest.raises(BROKEN_CONNECTION):
        sandbox.api("GET", "/query", token, params={"q": "SELECT Id FROM Account"})

    assert sandbox.org.api_calls_used() == 1
    assert sandbox.org.requests.records()[-1].fault == "applied_drop"


def test_random_after_write_faults_leave_reads_alone(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    sandbox = make_sandbox([account(1, team[0])], faults=FaultProfile(applied_5xx=1.0))

    rows = sandbox.client().query("SELECT Id FROM Account")

    assert rows["totalSize"] == 1


def test_person_edits_change_exactly_n_records_to_another_active_owner_and_are_logged(
    make_sandbox: MakeSandbox,
) -> None:
    reps = [rep(n, active=n != 3) for n in range(1, 6)]  # the third rep has left
    bob, dave = reps[1].salesforce_user_id, reps[3].salesforce_user_id
    sandbox = make_sandbox([account(n, reps[0]) for n in range(1, 5)], reps=reps)
    sandbox.org.set_fault_schedule(
        [ScheduledFault("collections-update", 1, "applied_5xx", person_edits=2)]
    )
    ids = [a.crm_id for a in sandbox.org.accounts]

    response = write(sandbox, sandbox.token(), *[(i, bob) for i in ids])

    assert response.status_code == 503
    # The next active user after Bob (the owner the write left, and the one it asked for),
    # skipping the inactive third rep.
    assert [sandbox.org.owner_of(i) for i in ids] == [dave, dave, bob, bob]
    assert sandbox.org.requests.person_edits() == {ids[0]: dave, ids[1]: dave}
    person = sandbox.org.requests.records()[-1]
    assert (person.method, person.kind, person.records_written) == (
        "PERSON",
        "person-edit",
        (ids[0], ids[1]),
    )
    assert sandbox.org.requests.writes_per_record() == dict.fromkeys(ids, 1)


def test_a_person_edit_advances_the_modified_time_like_any_edit(
    sandbox: Sandbox, bob: str, clock: FakeClock
) -> None:
    sandbox.org.set_fault_schedule([ScheduledFault("collections-update", 1, "503", 1)])
    first = sandbox.org.accounts[0]
    clock.seconds = 1_767_300_000.5

    write(sandbox, sandbox.token(), (first.crm_id, bob))

    # Refused, so Alice still owned it; with Bob the only other active user, the person picks him.
    assert sandbox.org.requests.person_edits() == {first.crm_id: bob}
    assert first.modified_ms == 1_767_300_000_000
    assert sandbox.org.requests.writes_per_record() == {}


def test_a_schedule_is_set_and_shown_through_the_control_api(sandbox: Sandbox, bob: str) -> None:
    response = sandbox.put(
        "/__sandbox/faults",
        json={"schedule": [{"kind": "collections-update", "nth": 1, "fault": "applied_5xx"}]},
    )
    write(sandbox, sandbox.token(), (sandbox.org.accounts[0].crm_id, bob))

    assert response.status_code == 200
    shown = sandbox.get("/__sandbox/faults").json()
    assert shown["schedule"] == [
        {
            "kind": "collections-update",
            "nth": 1,
            "fault": "applied_5xx",
            "person_edits": 0,
            "struck": True,
        }
    ]
    assert shown["profile"]["applied_5xx"] == 0.0


def test_setting_a_schedule_through_the_control_api_keeps_the_profile(sandbox: Sandbox) -> None:
    sandbox.put("/__sandbox/faults", json={"profile": "latency_ms=1"})

    sandbox.put("/__sandbox/faults", json={"schedule": []})

    assert sandbox.org.faults.latency_ms == 1.0


def test_a_malformed_schedule_is_refused_through_the_control_api(sandbox: Sandbox) -> None:
    response = sandbox.put(
        "/__sandbox/faults", json={"schedule": [{"kind": "query", "nth": 1, "fault": "oops"}]}
    )

    assert response.status_code == 400
    assert "unknown scheduled fault 'oops'" in response.json()["error"]
