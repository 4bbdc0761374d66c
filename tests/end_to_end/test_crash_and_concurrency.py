"""A run killed with SIGKILL mid write-back, then rerun, writes every owner exactly once; two runs
started together never overlap; the chaos profile still ends with every change accounted for."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from sandbox.fault_schedule import ScheduledFault
from sync.runs import RUNS
from sync.store.database import Database
from tests.end_to_end.conftest import Product

WRITE_KINDS = ("collections-update", "batch-update")


def run_in_subprocess(product: Product, *extra: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "TERRITORY_SYNC_TERRITORIES_FILE": str(product.territory_file),
        "TERRITORY_SYNC_SALESFORCE_WRITE_BATCH_SIZE": "5",
        "TERRITORY_SYNC_HUBSPOT_WRITE_BATCH_SIZE": "5",
        "TERRITORY_SYNC_SYNC_CONCURRENCY": "1",
        "TERRITORY_SYNC_SYNC_BLAST_RADIUS": "1",
        "TERRITORY_SYNC_SYNC_LOOKBACK_SECONDS": "5",
        "TERRITORY_SYNC_CONFIG": "",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "territory_sync",
            "--database-url",
            product.database.url,
            "sync",
            "--yes",
            *extra,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def write_calls(product: Product) -> int:
    return sum(
        crm.requests.count(kind)
        for crm in (product.sandbox.salesforce, product.sandbox.hubspot)
        for kind in WRITE_KINDS
    )


def newest_written(database: Database) -> dict[tuple[str, str], str]:
    with database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT source, external_id, new_owner_id FROM audit_log "
                "WHERE status = 'written' ORDER BY id"
            )
        ).all()
    return {(source, external_id): owner for source, external_id, owner in rows}


@pytest.mark.slow
@pytest.mark.parametrize("kill_after_writes", [1, 4, 9])
def test_a_run_killed_during_write_back_is_finished_by_the_next_run_writing_each_owner_once(
    product: Product, kill_after_writes: int
) -> None:
    product.sandbox.set_faults("latency_ms=40")
    process = run_in_subprocess(product)
    deadline = time.monotonic() + 60
    while write_calls(product) < kill_after_writes:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)

    product.sandbox.set_faults("none")
    rerun = product.sync()
    assert rerun.exit_code == 0

    for crm in (product.sandbox.salesforce, product.sandbox.hubspot):
        assert all(count == 1 for count in crm.requests.writes_per_record().values())
    check = product.sync(dry_run=True)
    assert check.figures["planned"] == 0, "every owner is where the territories put it"
    for (source, record_id), owner in newest_written(product.database).items():
        crm = product.sandbox.salesforce if source == "salesforce" else product.sandbox.hubspot
        assert crm.owner_of(record_id) == owner, "the audit log matches the CRM"


@pytest.mark.postgres
@pytest.mark.slow
def test_two_runs_started_together_on_postgresql_one_runs_the_other_exits_4(
    product: Product,
) -> None:
    if product.database.is_sqlite:
        pytest.skip("the PostgreSQL advisory lock (the SQLite lock file is tested elsewhere)")
    product.sandbox.set_faults("latency_ms=150")
    first = run_in_subprocess(product, "--dry-run")
    second = run_in_subprocess(product, "--dry-run")
    results = [(p.wait(120), p.communicate()) for p in (first, second)]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 4]
    refused = next(err for code, (_, err) in results if code == 4)
    assert "another run holds the lock: run " in refused
    assert " started " in refused


@pytest.mark.slow
def test_under_the_chaos_profile_every_change_is_written_or_reported(product: Product) -> None:
    product.settings.salesforce.write_batch_size = 10
    product.settings.hubspot.write_batch_size = 10
    product.sandbox.set_faults("chaos")
    # Beside the random chaos, lost answers and refusals strike for certain on both CRMs.
    for kind in ("collections-update", "batch-update"):
        product.sandbox.schedule_faults(
            [
                ScheduledFault(kind, 1, "applied_5xx"),
                ScheduledFault(kind, 2, "applied_drop"),
                ScheduledFault(kind, 3, "429"),
                ScheduledFault(kind, 4, "503"),
            ],
            "salesforce" if kind == "collections-update" else "hubspot",
        )
    result = product.sync()
    for crm in (product.sandbox.salesforce, product.sandbox.hubspot):
        assert all(entry["struck"] for entry in crm.fault_schedule.entries())
    figures = result.figures
    accounted = figures["written"] + figures["failed"] + figures["conflicts"]
    assert figures["unfinished"] == 0
    assert accounted == figures["planned"]
    for crm in (product.sandbox.salesforce, product.sandbox.hubspot):
        assert all(count == 1 for count in crm.requests.writes_per_record().values())
    with product.database.engine.connect() as connection:
        failures = connection.execute(
            text("SELECT error_code FROM audit_log WHERE status = 'failed'")
        ).all()
    assert all(code not in ("RATE_LIMIT", "TEN_SECONDLY_ROLLING") for (code,) in failures)


def test_the_scheduled_job_runs_the_sync_and_a_second_run_writes_nothing(
    product: Product, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from scheduler import JOB_ID, build_scheduler

    config = tmp_path / "territory-sync.toml"
    config.write_text(
        f'[database]\nurl = "{product.database.url}"\n'
        f'[territories]\nfile = "{product.territory_file}"\n'
        "[sync]\nblast_radius = 1.0\nretry_initial_seconds = 0.01\n",
        encoding="utf-8",
    )
    scheduler = build_scheduler(
        product.settings,
        product.database,
        background=True,
        job_kwargs={"config_path": str(config)},
    )
    scheduler.start()
    try:
        scheduler.modify_job(JOB_ID, next_run_time=datetime.now(UTC))
        deadline = time.monotonic() + 60
        while True:
            with product.database.engine.connect() as connection:
                row = connection.execute(
                    select(RUNS.c.status, RUNS.c.figures).where(RUNS.c.trigger == "schedule")
                ).first()
            if row is not None and row[0] != "running":
                break
            assert time.monotonic() < deadline, "the scheduled run did not finish"
            time.sleep(0.1)
    finally:
        scheduler.shutdown(wait=True)
    assert row[0] == "succeeded"
    assert row[1]["written"] > 0
    product.sandbox.salesforce.requests.clear()
    product.sandbox.hubspot.requests.clear()
    assert product.sync().figures["planned"] == 0
    # Salesforce: a token, the users, and for accounts and for contacts a count and one page;
    # HubSpot: the owners (active and archived) and one search each for companies and contacts.
    assert product.sandbox.salesforce.requests.count() <= 6
    assert product.sandbox.hubspot.requests.count() <= 6
