"""The /__sandbox/ control API: staging changes the way people and batch jobs make them, and
reading back what the API clients did."""

from __future__ import annotations

from typing import Any

from sandbox.seed import SeedRep
from tests.sandbox.salesforce.conftest import JAN_1_2026_MS, FakeClock, Sandbox


def systemmodstamps(sandbox: Sandbox, ids: list[str]) -> list[str]:
    id_list = ", ".join(f"'{i}'" for i in ids)
    result = sandbox.client().query_all(
        f"SELECT Id, SystemModstamp FROM Account WHERE Id IN ({id_list}) ORDER BY Id"
    )
    return [r["SystemModstamp"] for r in result["records"]]


def test_owner_change_by_a_person_bumps_systemmodstamp_and_is_not_an_api_write(
    sandbox: Sandbox, team: list[SeedRep], clock: FakeClock
) -> None:
    record_id = sandbox.org.accounts[0].crm_id
    clock.seconds = JAN_1_2026_MS / 1000 + 7200.5

    response = sandbox.post(
        "/__sandbox/owner-changes",
        json={"changes": [{"id": record_id, "owner_id": team[1].salesforce_user_id}]},
    )

    assert response.json() == {"changed": 1}
    assert sandbox.org.owner_of(record_id) == team[1].salesforce_user_id
    assert systemmodstamps(sandbox, [record_id]) == ["2026-01-01T02:00:00.000+0000"]
    assert sandbox.org.requests.writes_per_record() == {}


def test_mass_update_stamps_one_identical_second(sandbox: Sandbox) -> None:
    response = sandbox.post(
        "/__sandbox/mass-update", json={"count": 4, "modified_ms": JAN_1_2026_MS + 99_999}
    )

    body = response.json()
    first_four = [a.crm_id for a in sandbox.org.accounts[:4]]
    assert body == {"modified_ms": JAN_1_2026_MS + 99_000, "count": 4}
    assert set(systemmodstamps(sandbox, first_four)) == {"2026-01-01T00:01:39.000+0000"}
    assert systemmodstamps(sandbox, [sandbox.org.accounts[4].crm_id]) == [
        "2026-01-01T00:00:05.000+0000"
    ]


def test_mass_update_by_ids_uses_the_clock_when_no_time_is_given(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    ids = [a.crm_id for a in sandbox.org.accounts[5:7]]

    body = sandbox.post("/__sandbox/mass-update", json={"ids": ids}).json()

    assert body == {"modified_ms": int(clock()) * 1000, "count": 2}


def test_request_log_lists_calls_by_kind_with_records_written(
    sandbox: Sandbox, team: list[SeedRep]
) -> None:
    record_id = sandbox.org.accounts[0].crm_id
    sf = sandbox.client()
    sf.query("SELECT Id FROM Account")
    sf.restful(
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

    log = sandbox.get("/__sandbox/requests").json()
    writes = sandbox.get("/__sandbox/requests", params={"kind": "collections-update"}).json()

    assert log["count"] == 3
    assert log["by_kind"] == {"token": 1, "query": 1, "collections-update": 1}
    assert writes["count"] == 1
    assert writes["requests"][0]["records_written"] == [record_id]
    assert writes["requests"][0]["status"] == 200


def test_clearing_the_request_log(sandbox: Sandbox) -> None:
    sandbox.client().query("SELECT Id FROM Account")

    sandbox.delete("/__sandbox/requests")

    assert sandbox.get("/__sandbox/requests").json()["count"] == 0


def test_control_calls_are_neither_logged_nor_counted(sandbox: Sandbox) -> None:
    sandbox.get("/__sandbox/owners")
    sandbox.get("/__sandbox/state")

    assert sandbox.org.requests.count() == 0
    assert sandbox.org.api_calls_used() == 0


def test_owners_lists_live_records_only(sandbox: Sandbox, team: list[SeedRep]) -> None:
    gone = sandbox.org.accounts[0].crm_id
    sandbox.post("/__sandbox/deletions", json={"ids": [gone]})

    owners: dict[str, Any] = sandbox.get("/__sandbox/owners").json()["owners"]

    assert len(owners) == 9
    assert gone not in owners
    assert set(owners.values()) == {team[0].salesforce_user_id}


def test_created_records_are_queryable_and_deleted_ones_only_through_query_all(
    sandbox: Sandbox, team: list[SeedRep]
) -> None:
    created = sandbox.post(
        "/__sandbox/records",
        json={
            "records": [
                {"name": "Fresh GmbH", "country": "DE", "owner_id": team[1].salesforce_user_id}
            ]
        },
    ).json()["ids"]
    sandbox.post("/__sandbox/deletions", json={"ids": created})
    sf = sandbox.client()

    live = sf.query("SELECT Id FROM Account WHERE Name = 'Fresh GmbH'")
    everything = sf.query_all(
        "SELECT Id, IsDeleted, BillingCountry FROM Account WHERE Name = 'Fresh GmbH'",
        include_deleted=True,
    )

    assert created[0].startswith("001") and len(created[0]) == 18
    assert live["totalSize"] == 0
    assert [(r["Id"], r["IsDeleted"], r["BillingCountry"]) for r in everything["records"]] == [
        (created[0], True, "DE")
    ]


def test_unknown_record_ids_are_reported_and_nothing_changes(sandbox: Sandbox) -> None:
    known = sandbox.org.accounts[0].crm_id

    response = sandbox.post(
        "/__sandbox/owner-changes",
        json={"changes": [{"id": known, "owner_id": None}, {"id": "001nothere", "owner_id": None}]},
    )

    assert response.status_code == 404
    assert "001nothere" in response.json()["error"]
    assert sandbox.org.owner_of(known) is not None


def test_faults_can_be_read_and_replaced(sandbox: Sandbox) -> None:
    response = sandbox.put("/__sandbox/faults", json={"profile": "rate_5xx=1"})
    refused = sandbox.api("GET", "/limits", sandbox.token())

    assert response.json()["profile"]["rate_5xx"] == 1.0
    assert sandbox.get("/__sandbox/faults").json()["profile"]["rate_5xx"] == 1.0
    assert refused.status_code == 503


def test_bad_fault_profile_is_refused_with_the_reason(sandbox: Sandbox) -> None:
    response = sandbox.put("/__sandbox/faults", json={"profile": "tornado"})

    assert response.status_code == 400
    assert "unknown fault profile 'tornado'" in response.json()["error"]


def test_state_counts_records_users_and_api_calls(sandbox: Sandbox) -> None:
    sandbox.client().query("SELECT Id FROM Account")
    sandbox.post("/__sandbox/deletions", json={"ids": [sandbox.org.accounts[0].crm_id]})

    state = sandbox.get("/__sandbox/state").json()

    assert state["records"] == 9
    assert state["deleted"] == 1
    assert state["users"] == 3
    assert state["api_calls_today"] == 1
    assert state["daily_allocation"] == 150_000


def test_a_deletion_moves_records_to_the_recycle_bin_where_query_all_still_finds_them(
    sandbox: Sandbox,
) -> None:
    gone = sandbox.org.accounts[0].crm_id

    response = sandbox.post("/__sandbox/deletions", json={"ids": [gone]})

    sf = sandbox.client()
    assert response.json() == {"deleted": 1}
    assert sf.query(f"SELECT Id FROM Account WHERE Id = '{gone}'")["totalSize"] == 0
    assert (
        sf.query_all(f"SELECT Id FROM Account WHERE Id = '{gone}'", include_deleted=True)[
            "totalSize"
        ]
        == 1
    )


def test_a_purged_record_is_gone_from_query_all_too(sandbox: Sandbox) -> None:
    gone = sandbox.org.accounts[0].crm_id

    response = sandbox.post("/__sandbox/deletions", json={"ids": [gone], "purge": True})

    sf = sandbox.client()
    assert response.json() == {"purged": 1}
    everything = sf.query_all("SELECT Id FROM Account", include_deleted=True)["records"]
    assert gone not in {record["Id"] for record in everything}
    assert len(everything) == 9
    assert sandbox.org.state_summary()["records"] == 9


def test_a_purge_naming_an_unknown_record_changes_nothing(sandbox: Sandbox) -> None:
    known = sandbox.org.accounts[0].crm_id

    response = sandbox.post(
        "/__sandbox/deletions", json={"ids": [known, "001nothere"], "purge": True}
    )

    assert response.status_code == 404
    kept = sandbox.org.account(known)
    assert kept is not None and kept.deleted is False
