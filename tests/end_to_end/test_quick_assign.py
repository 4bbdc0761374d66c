"""Quick assignment against the sandbox CRMs: new and unowned accounts get an owner between
nightly runs, through the scheduler's job, and nothing else is touched."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

import scheduler
from sync.lock import RunLock
from sync.scheduling.jobs import QUICK_ASSIGN_JOB_ID, configured_jobs
from territory_sync.cli import main
from territory_sync.errors import ExitCode
from territory_sync.settings import load_settings
from tests.end_to_end.conftest import Product

NA_WEST_OWNERS = {"41800001", "41800002"}  # maya.chen, daniel.okafor in the sandbox
ARJUN = "41800024"  # an active HubSpot owner who is in no territory of the test file
NEW_IN_CALIFORNIA = {
    "name": "Quick Assign Robotics",
    "country": "United States of America",
    "region": "CA",
    "city": "San Diego",
    "domain": "quick-assign-robotics.example",
}


@pytest.fixture
def config_file(product: Product, tmp_path: Path) -> Path:
    """The product's configuration as a file, as the scheduler reads it, quick assign on."""
    path = tmp_path / "territory-sync.toml"
    path.write_text(
        f'[database]\nurl = "{product.database.url}"\n'
        f'[territories]\nfile = "{product.territory_file}"\n'
        "[sync]\nblast_radius = 1.0\nretry_initial_seconds = 0.01\n"
        '[schedule]\nquick_assign = "10m"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def product_events(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    product_logger = logging.getLogger("territory_sync")
    product_logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="territory_sync"):
            yield caplog
    finally:
        product_logger.removeHandler(caplog.handler)


def next_quick_assign(config: Path, now: datetime) -> datetime:
    settings = load_settings(config, environ={})
    (job,) = [j for j in configured_jobs(settings) if j.id == QUICK_ASSIGN_JOB_ID]
    fire_time: datetime = job.trigger.get_next_fire_time(None, now)
    return fire_time


def hubspot_writes(product: Product) -> set[str]:
    return set(product.sandbox.hubspot.requests.writes_per_record())


def runs_of(product: Product, trigger: str) -> list[dict[str, object]]:
    with product.database.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, status, scope, figures FROM runs WHERE trigger = :t ORDER BY id"),
            {"t": trigger},
        ).all()
    return [
        {
            "id": row[0],
            "status": row[1],
            "scope": json.loads(row[2]) if isinstance(row[2], str) else row[2],
            "figures": json.loads(row[3]) if isinstance(row[3], str) else row[3],
        }
        for row in rows
    ]


def test_with_quick_assign_on_a_new_company_gets_its_owner_within_one_interval(
    product: Product, config_file: Path
) -> None:
    assert product.sync().exit_code == ExitCode.OK  # the nightly run: the book is covered
    (created,) = product.sandbox.hubspot.create_records([NEW_IN_CALIFORNIA])
    assert product.sandbox.hubspot.owner_of(created) is None

    now = datetime.now(UTC)
    fire_time = next_quick_assign(config_file, now)
    assert fire_time - now <= timedelta(minutes=10), "the job fires within one interval"
    exit_code = scheduler.scheduled_quick_assign(str(config_file), None, fire_time.isoformat())

    assert exit_code == ExitCode.OK
    assert product.sandbox.hubspot.owner_of(created) in NA_WEST_OWNERS
    (run,) = runs_of(product, "quick_assign")
    assert run["status"] == "succeeded"
    assert run["scope"]["only_unowned_or_new"] is True  # type: ignore[index]
    assert run["figures"]["written"] == 1  # type: ignore[index]


def test_quick_assign_changes_only_new_and_unowned_accounts(product: Product) -> None:
    product.sync()
    hubspot = product.sandbox.hubspot
    west = sorted(i for i, owner in product.owners("hubspot").items() if owner in NA_WEST_OWNERS)
    chosen_by_person, cleared = west[0], west[1]
    hubspot.change_owner_as_person(chosen_by_person, ARJUN)  # active, not the territory's rep
    hubspot.change_owner_as_person(cleared, None)
    (created,) = hubspot.create_records([{**NEW_IN_CALIFORNIA, "owner_id": ARJUN}])
    hubspot.requests.clear()
    product.sandbox.salesforce.requests.clear()

    result = product.sync(trigger="quick_assign", only_unowned_or_new=True)

    assert result.exit_code == ExitCode.OK
    assert hubspot_writes(product) == {cleared, created}
    assert hubspot.owner_of(chosen_by_person) == ARJUN
    assert hubspot.owner_of(cleared) in NA_WEST_OWNERS
    assert hubspot.owner_of(created) in NA_WEST_OWNERS
    assert product.sandbox.salesforce.requests.count("collections-update") == 0
    assert result.figures["quick_assign"]["new"] == 1
    assert result.figures["planned"] == 2  # the seeded book's other unowned ones match no rep
    # The nightly run, by contrast, does move the account a person gave to an active rep.
    product.sync()
    assert hubspot.owner_of(chosen_by_person) in NA_WEST_OWNERS


def test_accounts_of_a_rep_who_left_count_as_unowned(product: Product) -> None:
    product.sync()
    hubspot = product.sandbox.hubspot
    daniel = "41800002"
    hubspot.archive_owner(daniel)
    nightly_would = {
        c.external_id
        for c in product.sync(dry_run=True).changes
        if c.source == "hubspot"
        and c.object_name == "account"
        and c.old_owner_id == daniel
        and c.new_owner_id
    }
    assert nightly_would

    product.sync(trigger="quick_assign", only_unowned_or_new=True)

    moved = {i for i, owner in product.owners("hubspot").items() if owner != daniel}
    assert nightly_would <= moved, "every company the nightly run would move is moved now"


def test_a_quick_assign_fire_time_is_skipped_while_another_run_holds_the_lock(
    product: Product, config_file: Path, product_events: pytest.LogCaptureFixture
) -> None:
    product.sync()
    (created,) = product.sandbox.hubspot.create_records([NEW_IN_CALIFORNIA])
    fire_time = next_quick_assign(config_file, datetime.now(UTC))
    nightly = RunLock(product.database)
    nightly.acquire()
    try:
        started = time.monotonic()
        exit_code = scheduler.scheduled_quick_assign(str(config_file), None, fire_time.isoformat())
        waited = time.monotonic() - started
    finally:
        nightly.release()

    assert exit_code == ExitCode.LOCKED
    assert waited < 30, "skipped at once, not queued behind the lock"
    assert product.sandbox.hubspot.owner_of(created) is None
    assert runs_of(product, "quick_assign") == []
    skipped = [r for r in product_events.records if r.getMessage() == "scheduler.skipped"]
    assert skipped
    reason = skipped[0].__dict__["fields"]["reason"]
    assert "another run holds the lock" in reason and "next fire time" in reason
    with product.database.engine.connect() as connection:
        message = connection.execute(
            text("SELECT message FROM schedule_firings WHERE job_id = 'quick-assign'")
        ).scalar_one()
    assert message.startswith("skipped:")


def test_sync_new_only_on_the_command_line_assigns_the_new_company(
    product: Product, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERRITORY_SYNC_TERRITORIES_FILE", str(product.territory_file))
    monkeypatch.setenv("TERRITORY_SYNC_CONFIG", "")
    monkeypatch.setenv("TERRITORY_SYNC_SYNC_BLAST_RADIUS", "1")
    product.sync()
    (created,) = product.sandbox.hubspot.create_records([NEW_IN_CALIFORNIA])
    product.sandbox.hubspot.requests.clear()

    args = ["--database-url", product.database.url, "sync", "--new-only", "--yes", "--json"]
    assert main(args) == ExitCode.OK

    assert hubspot_writes(product) == {created}
    assert product.sandbox.hubspot.owner_of(created) in NA_WEST_OWNERS
