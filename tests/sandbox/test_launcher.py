"""Starting the sandbox: both CRMs from one book, and the `territory-sync sandbox` command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
import requests

from sandbox.fault_schedule import ScheduledFault
from sandbox.launcher import RunningSandbox
from sandbox.server import free_port


def test_the_sandbox_serves_both_crms_from_one_book(sandbox: RunningSandbox) -> None:
    env = sandbox.env()
    token = requests.post(
        f"{env['SALESFORCE_INSTANCE_URL']}/services/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": env["SALESFORCE_CLIENT_ID"],
            "client_secret": env["SALESFORCE_CLIENT_SECRET"],
        },
        timeout=10,
    ).json()["access_token"]
    accounts = requests.get(
        f"{env['SALESFORCE_INSTANCE_URL']}/services/data/v59.0/query",
        params={"q": "SELECT COUNT() FROM Account"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    companies = requests.get(
        f"{env['HUBSPOT_BASE_URL']}/crm/v3/objects/companies",
        params={"limit": 100},
        headers={"Authorization": f"Bearer {env['HUBSPOT_ACCESS_TOKEN']}"},
        timeout=10,
    ).json()
    assert accounts["totalSize"] == 300
    assert len(companies["results"]) == 100


def test_faults_can_be_switched_on_for_both_crms_at_once(sandbox: RunningSandbox) -> None:
    sandbox.set_faults("rate_5xx=1")
    response = requests.get(
        f"{sandbox.hubspot_url}/crm/v3/objects/companies",
        headers={"Authorization": f"Bearer {sandbox.env()['HUBSPOT_ACCESS_TOKEN']}"},
        timeout=10,
    )
    assert response.status_code >= 500


def test_a_fault_schedule_can_be_given_to_both_crms_at_once(sandbox: RunningSandbox) -> None:
    sandbox.schedule_faults([ScheduledFault("list", 1, "503"), ScheduledFault("query", 1, "503")])

    assert len(sandbox.salesforce.fault_schedule) == 2
    assert len(sandbox.hubspot.fault_schedule) == 2
    assert _list_companies(sandbox).status_code == 503


def test_a_fault_schedule_can_be_given_to_one_crm(sandbox: RunningSandbox) -> None:
    sandbox.schedule_faults([ScheduledFault("list", 1, "503")], source="salesforce")

    assert len(sandbox.hubspot.fault_schedule) == 0
    assert _list_companies(sandbox).status_code == 200


def test_scheduling_faults_for_an_unknown_crm_says_which_exist(sandbox: RunningSandbox) -> None:
    with pytest.raises(ValueError, match="salesforce and hubspot"):
        sandbox.schedule_faults([], source="pipedrive")  # type: ignore[arg-type]


def test_deleting_behind_the_back_sends_salesforce_records_to_the_recycle_bin(
    sandbox: RunningSandbox,
) -> None:
    record_id = sandbox.salesforce.accounts[0].crm_id

    deleted = sandbox.delete_behind_the_back("salesforce", [record_id])

    account = sandbox.salesforce.account(record_id)
    assert deleted == 1 and account is not None and account.deleted
    assert sandbox.salesforce.requests.count() == 0


def test_purging_behind_the_back_removes_records_from_either_crm(sandbox: RunningSandbox) -> None:
    salesforce_id = sandbox.salesforce.accounts[0].crm_id
    hubspot_id = next(iter(sandbox.hubspot.owners_by_record()))

    sandbox.delete_behind_the_back("salesforce", [salesforce_id], purge=True)
    sandbox.delete_behind_the_back("hubspot", [hubspot_id], purge=True)

    assert sandbox.salesforce.account(salesforce_id) is None
    assert sandbox.hubspot.company(hubspot_id) is None


def test_deleting_behind_the_back_archives_hubspot_companies(sandbox: RunningSandbox) -> None:
    hubspot_id = next(iter(sandbox.hubspot.owners_by_record()))

    sandbox.delete_behind_the_back("hubspot", [hubspot_id])

    company = sandbox.hubspot.company(hubspot_id)
    assert company is not None and company.deleted


def _list_companies(sandbox: RunningSandbox) -> requests.Response:
    return requests.get(
        f"{sandbox.hubspot_url}/crm/v3/objects/companies",
        headers={"Authorization": f"Bearer {sandbox.env()['HUBSPOT_ACCESS_TOKEN']}"},
        timeout=10,
    )


def test_the_sandbox_command_prints_export_lines_and_stops_on_sigterm() -> None:
    sf_port, hs_port = free_port(), free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "territory_sync",
            "sandbox",
            "--accounts",
            "50",
            "--salesforce-port",
            str(sf_port),
            "--hubspot-port",
            str(hs_port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in range(5)]
        assert lines == [
            f"export SALESFORCE_INSTANCE_URL=http://127.0.0.1:{sf_port}",
            "export SALESFORCE_CLIENT_ID=territory-sync-sandbox",
            "export SALESFORCE_CLIENT_SECRET=territory-sync-sandbox-secret",
            f"export HUBSPOT_BASE_URL=http://127.0.0.1:{hs_port}",
            "export HUBSPOT_ACCESS_TOKEN=pat-na1-5ab0c5e1-0000-4000-8000-000000000001",
        ]
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
    finally:
        if process.poll() is None:
            process.kill()
