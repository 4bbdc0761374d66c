"""Bulk API 2.0 query jobs, through simple-salesforce's `bulk2` and over raw HTTP."""

from __future__ import annotations

import csv
import io

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandbox.seed import SeedRep
from tests.sandbox.salesforce.conftest import MakeSandbox, Sandbox, account, bulk2, error_body


def csv_rows(pages: list[str]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for page in pages:
        rows.extend(csv.DictReader(io.StringIO(page)))
    return rows


def test_bulk2_query_of_50000_accounts_returns_every_id_once(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    accounts = [account(n, team[n % 2]) for n in range(1, 50_001)]
    sandbox = make_sandbox(accounts)

    pages = list(
        bulk2(sandbox.client()).Account.query(
            "SELECT Id, OwnerId, SystemModstamp FROM Account", max_records=20_000, wait=0.01
        )
    )

    rows = csv_rows(pages)
    assert len(pages) == 3
    assert len(rows) == 50_000
    assert {row["Id"] for row in rows} == {a.crm_id for a in accounts}
    assert rows[0]["SystemModstamp"] == "2026-01-01T00:00:01.000Z"


def test_bulk2_query_through_simple_salesforce_with_default_page_size(
    sandbox: Sandbox, team: list[SeedRep]
) -> None:
    pages = list(
        bulk2(sandbox.client()).Account.query(
            "SELECT Id, Name, OwnerId, Do_Not_Reassign__c FROM Account WHERE Name LIKE '%1%'",
            wait=0.01,
        )
    )

    assert csv_rows(pages) == [
        {
            "Id": a.crm_id,
            "Name": a.name,
            "OwnerId": team[0].salesforce_user_id,
            "Do_Not_Reassign__c": "false",
        }
        for a in sandbox.org.accounts
        if "1" in a.name
    ]
    assert sandbox.org.requests.counts_by_kind() == {
        "token": 1,
        "bulk-create": 1,
        "bulk-poll": 2,
        "bulk-results": 1,
    }


def test_job_moves_from_upload_complete_through_in_progress_to_job_complete(
    sandbox: Sandbox,
) -> None:
    token = sandbox.token()
    created = sandbox.api(
        "POST", "/jobs/query", token, json={"operation": "query", "query": "SELECT Id FROM Account"}
    ).json()
    job_path = f"/jobs/query/{created['id']}"

    states = [created["state"]] + [
        sandbox.api("GET", job_path, token).json()["state"] for _ in range(3)
    ]

    assert created["id"].startswith("750")
    assert states == ["UploadComplete", "InProgress", "JobComplete", "JobComplete"]


def test_a_job_can_complete_on_its_first_poll(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    sandbox = make_sandbox([account(1, team[0])], bulk_polls_until_complete=0)
    token = sandbox.token()
    job = sandbox.api(
        "POST", "/jobs/query", token, json={"operation": "query", "query": "SELECT Id FROM Account"}
    ).json()

    polled = sandbox.api("GET", f"/jobs/query/{job['id']}", token).json()

    assert polled["state"] == "JobComplete"
    assert polled["numberRecordsProcessed"] == 1
    assert polled["jobType"] == "V2Query"


def test_results_page_with_locator_headers_until_null(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    sandbox = make_sandbox([account(n, team[0]) for n in range(1, 8)], bulk_polls_until_complete=0)
    token = sandbox.token()
    job = sandbox.api(
        "POST", "/jobs/query", token, json={"operation": "query", "query": "SELECT Id FROM Account"}
    ).json()
    sandbox.api("GET", f"/jobs/query/{job['id']}", token)

    pages = []
    locator = ""
    while locator != "null":
        params = {"maxRecords": "3", **({"locator": locator} if locator else {})}
        response = sandbox.api("GET", f"/jobs/query/{job['id']}/results", token, params=params)
        locator = response.headers["Sforce-Locator"]
        pages.append((int(response.headers["Sforce-NumberOfRecords"]), response.text))

    assert [count for count, _ in pages] == [3, 3, 1]
    assert pages[0][1].splitlines()[0] == '"Id"'


def test_query_all_job_includes_deleted_rows(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    sandbox = make_sandbox([account(1, team[0]), account(2, team[0], deleted=True)])

    rows = csv_rows(
        list(
            bulk2(sandbox.client()).Account.query_all(
                "SELECT Id, IsDeleted FROM Account", wait=0.01
            )
        )
    )

    assert [row["IsDeleted"] for row in rows] == ["false", "true"]


@pytest.mark.parametrize("clause", ["ORDER BY Name", "LIMIT 5"])
def test_order_by_and_limit_are_refused_in_bulk_jobs(sandbox: Sandbox, clause: str) -> None:
    with pytest.raises(SalesforceMalformedRequest) as error:
        list(bulk2(sandbox.client()).Account.query(f"SELECT Id FROM Account {clause}", wait=0.01))

    assert "Bulk API 2.0 query jobs do not support" in error_body(error.value)[0]["message"]


def test_bulk_job_with_an_unknown_field_is_invalid_field(sandbox: Sandbox) -> None:
    with pytest.raises(SalesforceMalformedRequest) as error:
        list(bulk2(sandbox.client()).Account.query("SELECT Nope__c FROM Account", wait=0.01))

    assert error_body(error.value)[0]["errorCode"] == "INVALID_FIELD"


def test_results_before_the_job_completes_are_refused(sandbox: Sandbox) -> None:
    token = sandbox.token()
    job = sandbox.api(
        "POST", "/jobs/query", token, json={"operation": "query", "query": "SELECT Id FROM Account"}
    ).json()

    response = sandbox.api("GET", f"/jobs/query/{job['id']}/results", token)

    assert response.status_code == 400
    assert "not JobComplete" in response.json()[0]["message"]


def test_aborted_and_deleted_jobs(sandbox: Sandbox) -> None:
    token = sandbox.token()
    job = sandbox.api(
        "POST", "/jobs/query", token, json={"operation": "query", "query": "SELECT Id FROM Account"}
    ).json()
    path = f"/jobs/query/{job['id']}"

    aborted = sandbox.api("PATCH", path, token, json={"state": "Aborted"}).json()
    deleted = sandbox.api("DELETE", path, token)
    gone = sandbox.api("GET", path, token)

    assert aborted["state"] == "Aborted"
    assert deleted.status_code == 204
    assert gone.status_code == 404
