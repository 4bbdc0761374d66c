"""Console jobs kept in the database: their progress and how they ended, read by any console.

A job's phase, its records done of the total per CRM and its API calls are written while it runs
(a few times a second at most), so a console started afterwards on the same database shows them;
a job ends succeeded, stopped by a guard rail, failed or interrupted, and one whose console is
gone reads as interrupted instead of running forever.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event

from connectors.base import ApiUsage, CrmConnector
from sync.guard_rails import GuardRailVerdict
from sync.plan import ProposedChange, save_plan
from sync.progress import RunProgress, advance_in, watch_connectors, writing_plan
from sync.runner import SyncResult
from sync.runs import open_run
from sync.store.console_jobs import insert_job, read_job
from sync.store.database import Database
from sync.store.runs import RunStatus
from territory_sync.errors import ExitCode, RunInterruptedError
from territory_sync.settings import Settings
from tests.web.conftest import SECRET_KEY, bearer, sign_in
from web.app import create_app
from web.jobs import JobOutcome, JobRunner
from web.pages.job_view import time_left

Work = Callable[[RunProgress, threading.Event], SyncResult | JobOutcome]


@pytest.fixture
def first_console(console_settings: Settings, database: Database) -> Iterator[FastAPI]:
    """A console over the test database besides `client`'s: the one that runs the job."""
    app = create_app(console_settings, database, secret_key=SECRET_KEY)
    yield app
    app.state.jobs.shutdown(5)


def _wait_for_row(database: Database, job_id: int, ready: Callable[[dict[str, Any]], bool]) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        row = read_job(database, job_id)
        if row is not None and ready(row):
            return
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} was not written as expected: {read_job(database, job_id)}")


def _held_until(release: threading.Event, steps: Callable[[RunProgress], None]) -> Work:
    """Work that reports `steps` and then waits for `release`."""

    def work(progress: RunProgress, _stop: threading.Event) -> JobOutcome:
        steps(progress)
        release.wait(10)
        return JobOutcome("done")

    return work


def _plan(database: Database, by_crm: dict[str, int], verdict: dict[str, Any]) -> int:
    run_id = open_run(database, kind="sync", trigger="admin", actor="token:alice", dry_run=True)
    changes = [
        ProposedChange(
            source=source,
            external_id=f"{source[:3]}{index:04d}",
            account_name=f"Account {index}",
            old_owner_id="OLD",
            old_owner_email="old.rep@acme-revenue.example",
            new_owner_id="NEW",
            new_owner_email="new.rep@acme-revenue.example",
            territory="NA-West",
            rule="territory",
            reason="region US-CA",
        )
        for source, count in by_crm.items()
        for index in range(count)
    ]
    return save_plan(
        database,
        run_id=run_id,
        trigger="admin",
        actor="token:alice",
        changes=changes,
        guard_rails=verdict,
    )


def _page(client: TestClient, token: str, job_id: int) -> str:
    sign_in(client, token)
    answer = client.get(f"/jobs/{job_id}")
    assert answer.status_code == 200, answer.text
    text: str = answer.text
    return text


def _page_while_held(
    console: FastAPI,
    client: TestClient,
    database: Database,
    admin_token: str,
    kind: str,
    steps: Callable[[RunProgress], None],
    ready: Callable[[dict[str, Any]], bool],
) -> str:
    """The job page of a `kind` job of `console` once it has reported `steps` (its stored row is
    `ready`), read while the job is still running."""
    release = threading.Event()
    runner: JobRunner = console.state.jobs
    job = runner.start(kind, "token:alice", _held_until(release, steps))
    try:
        _wait_for_row(database, job.id, ready)
        return _page(client, admin_token, job.id)
    finally:
        release.set()
        runner.wait(5)


def test_progress_written_by_one_console_is_shown_by_a_console_started_afterwards(
    first_console: FastAPI, client: TestClient, database: Database, admin_token: str
) -> None:
    def pulling(progress: RunProgress) -> None:
        progress.phase("pull salesforce", total=5000)
        progress.advance(1200)

    page = _page_while_held(
        first_console,
        client,
        database,
        admin_token,
        "plan",
        pulling,
        lambda row: row["done"] == 1200,
    )
    assert "Phase: <strong>Pulling Salesforce accounts</strong>" in page
    assert "Salesforce: 1,200 of 5,000 records" in page
    assert 'id="job-status">running<' in page


def test_the_job_page_shows_records_done_of_total_per_crm(
    first_console: FastAPI, client: TestClient, database: Database, admin_token: str
) -> None:
    plan_id = _plan(database, {"salesforce": 3, "hubspot": 2}, {"allowed": True, "message": ""})

    def writing(progress: RunProgress) -> None:
        progress.phase("write owners", total=5)
        writing_plan(progress, plan_id)
        advance_in(progress, "salesforce", 2)
        advance_in(progress, "hubspot", 1)

    page = _page_while_held(
        first_console,
        client,
        database,
        admin_token,
        "apply",
        writing,
        lambda row: row["done"] == 3,
    )
    assert "Phase: <strong>Writing owners</strong>" in page
    assert "<li>Salesforce: 2 of 3 records</li><li>HubSpot: 1 of 2 records</li>" in page


def test_the_job_page_counts_each_crms_records_apart_while_both_are_pulled(
    first_console: FastAPI, client: TestClient, database: Database, admin_token: str
) -> None:
    def pulling(progress: RunProgress) -> None:
        progress.phase("pull salesforce and hubspot")
        advance_in(progress, "hubspot", 800)
        advance_in(progress, "salesforce", 1200)

    page = _page_while_held(
        first_console,
        client,
        database,
        admin_token,
        "plan",
        pulling,
        lambda row: row["done"] == 2000,
    )
    assert "Phase: <strong>Pulling Salesforce and HubSpot</strong>" in page
    assert "<li>Salesforce: 1,200 records</li><li>HubSpot: 800 records</li>" in page


def test_the_job_page_shows_the_api_calls_used_per_crm(
    first_console: FastAPI, client: TestClient, database: Database, admin_token: str
) -> None:
    salesforce, hubspot = ApiUsage(calls=12), ApiUsage(calls=30)
    connectors = {
        "salesforce": cast(CrmConnector, type("Crm", (), {"usage": salesforce})()),
        "hubspot": cast(CrmConnector, type("Crm", (), {"usage": hubspot})()),
    }

    def pulling(progress: RunProgress) -> None:
        progress.phase("pull hubspot")
        watch_connectors(progress, connectors)

    page = _page_while_held(
        first_console,
        client,
        database,
        admin_token,
        "plan",
        pulling,
        lambda row: row["api_calls"] == {"salesforce": 12, "hubspot": 30},
    )
    assert "API calls used: 42 (Salesforce 12, HubSpot 30)" in page


def test_a_plan_a_guard_rail_stopped_reads_stopped_by_a_guard_rail_with_the_reason_and_the_plan(
    client: TestClient, database: Database, admin_token: str
) -> None:
    verdict = GuardRailVerdict(allowed=False, changes=955, evaluated=1000, share=0.955, limit=0.2)
    plan_id = _plan(database, {"salesforce": 2}, verdict.as_dict())

    def refused(_progress: RunProgress, _stop: threading.Event) -> SyncResult:
        return SyncResult(
            run_id=1,
            status=RunStatus.SUCCEEDED,
            exit_code=ExitCode.OK,
            figures={},
            plan_id=plan_id,
            verdict=verdict,
            message="dry run: nothing written. A real run would stop here",
        )

    runner: JobRunner = client.app.state.jobs  # type: ignore[attr-defined]
    job = runner.start("plan", "token:alice", refused)
    runner.wait(5)
    page = _page(client, admin_token, job.id)
    assert (
        "<strong>Stopped by a guard rail</strong>: 955 of 1,000 evaluated accounts (95.5%) would "
        "change owner, more than the 20% limit"
    ) in page
    assert f'href="/plans/{plan_id}" id="plan-link"' in page
    assert client.get(f"/api/jobs/{job.id}", headers=bearer(admin_token)).json()["status"] == (
        "stopped"
    )


def test_a_job_whose_console_process_is_gone_reads_interrupted_with_its_last_progress(
    client: TestClient, database: Database, admin_token: str
) -> None:
    ended = subprocess.Popen(["true"])  # a process of this machine that no longer exists
    ended.wait()
    now = datetime.now(UTC)
    job_id = insert_job(
        database,
        {
            "kind": "plan",
            "started_by": "token:alice",
            "created_at": now,
            "updated_at": now,
            "state": "running",
            "phase": "write owners",
            "phase_started_at": now,
            "done": 1200,
            "total": 5000,
            "progress": {"salesforce": {"done": 1200, "total": 5000}},
            "api_calls": {"salesforce": 7},
            "host": socket.gethostname(),
            "pid": ended.pid,
            "owner": "a-console-that-stopped",
        },
    )
    page = _page(client, admin_token, job_id)
    assert (
        "<strong>Interrupted</strong>: interrupted when the console stopped; start it again" in page
    )
    assert "Last phase: <strong>Writing owners</strong>" in page
    assert "Salesforce: 1,200 of 5,000 records" in page
    assert 'href="/resync" id="start-again"' in page


def test_a_job_running_when_its_console_shuts_down_ends_interrupted(
    first_console: FastAPI, client: TestClient, admin_token: str
) -> None:
    def until_stopped(progress: RunProgress, stop: threading.Event) -> SyncResult:
        progress.phase("evaluate territories")
        stop.wait(10)
        raise RunInterruptedError("stopped by request before planning")

    runner: JobRunner = first_console.state.jobs
    job = runner.start("plan", "token:alice", until_stopped)
    runner.shutdown(5)
    page = _page(client, admin_token, job.id)
    assert 'id="job-status">interrupted<' in page
    assert "Last phase: <strong>Evaluating territories</strong>" in page


def test_a_job_from_a_live_console_of_this_process_is_not_taken_for_interrupted(
    first_console: FastAPI, client: TestClient, database: Database, admin_token: str
) -> None:
    release = threading.Event()
    runner: JobRunner = first_console.state.jobs
    job = runner.start(
        "plan", "token:alice", _held_until(release, lambda p: p.phase("link companies"))
    )
    try:
        _wait_for_row(database, job.id, lambda row: row["phase"] == "link companies")
        listed = client.get("/api/jobs", headers=bearer(admin_token)).json()["jobs"]
    finally:
        release.set()
        runner.wait(5)
    assert [(j["id"], j["status"]) for j in listed] == [(job.id, "running")]


def test_progress_is_written_a_few_times_a_second_at_most(
    first_console: FastAPI, database: Database
) -> None:
    writes: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE CONSOLE_JOBS"):
            writes.append(statement)

    def busy(progress: RunProgress, _stop: threading.Event) -> JobOutcome:
        progress.phase("pull salesforce")
        for _ in range(20):
            for _ in range(500):
                progress.advance()
            time.sleep(0.05)
        return JobOutcome("done")

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        runner: JobRunner = first_console.state.jobs
        job = runner.start("plan", "token:alice", busy)
        runner.wait(5)
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert read_job(database, job.id) is not None
    assert 2 <= len(writes) <= 10, len(writes)  # 10,000 steps in about a second


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (20, "less than a minute left"),
        (125, "about 2 minutes left"),
        (60, "about 1 minute left"),
        (4200, "about 1 hour 10 minutes left"),
        (7200, "about 2 hours left"),
    ],
)
def test_the_time_left_reads_in_round_words(seconds: float, words: str) -> None:
    assert time_left(seconds) == words


def test_a_running_job_says_how_long_is_left_at_its_rate_so_far(
    first_console: FastAPI, client: TestClient, database: Database, admin_token: str
) -> None:
    def pulling(progress: RunProgress) -> None:
        progress.phase("pull salesforce", total=5000)
        progress.advance(2500)

    page = _page_while_held(
        first_console,
        client,
        database,
        admin_token,
        "plan",
        pulling,
        lambda row: row["done"] == 2500,
    )
    assert '<span id="job-time-left">less than a minute left</span>' in page


def test_a_job_started_by_this_process_but_no_longer_run_by_it_reads_interrupted(
    client: TestClient, database: Database, admin_token: str
) -> None:
    now = datetime.now(UTC)
    job_id = insert_job(
        database,
        {
            "kind": "what-if",
            "started_by": "token:alice",
            "created_at": now,
            "updated_at": now,
            "state": "queued",
            "phase": "",
            "done": 0,
            "progress": {},
            "api_calls": {},
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "owner": "a-runner-that-shut-down",
        },
    )
    job = client.get(f"/api/jobs/{job_id}", headers=bearer(admin_token)).json()
    assert (job["status"], job["message"]) == (
        "interrupted",
        "interrupted when the console stopped; start it again",
    )
