"""`make demo`: its sections are numbered once, in the order they run, and its summary names each
rep who has left but still owns held-out accounts."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mapping.unified import UnifiedAccount, UnifiedRep
from sandbox.seed_reps import REP_ROSTER
from sync.store.accounts import upsert_accounts
from sync.store.database import open_database
from sync.store.reps import upsert_reps
from territory_sync.cli import demo, main

MAYA = "maya.chen@acme-revenue.example"
DANIEL = "daniel.okafor@acme-revenue.example"
JONAS = "jonas.weber@acme-revenue.example"


def test_sections_are_numbered_once_in_the_order_they_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    steps = demo.Steps()
    assert steps.run("First look", ["--version"]) == 0
    assert steps.run("Second look", ["--version"]) == 0
    headings = [line for line in capsys.readouterr().out.splitlines() if " look " in line]
    assert [heading.strip("─ ") for heading in headings] == ["1. First look", "2. Second look"]


@pytest.fixture
def finished_demo(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's workspace as its runs leave it: the starter files, and a store where Maya (taken
    out of the territory file) and Jonas (deactivated) still own customers, which are held out."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TERRITORY_SYNC_DATABASE_URL", raising=False)
    assert main(["init", str(demo.WORKSPACE)]) == 0
    shutil.copyfile(sqlite_template, demo.WORKSPACE / "territory-sync.db")
    database = open_database(f"sqlite:///{demo.WORKSPACE / 'territory-sync.db'}")
    ids = {rep.email: rep.salesforce_user_id for rep in REP_ROSTER}
    customer = {"Type": "Customer - Direct"}
    prospect = {"Type": "Prospect"}
    records = [
        ("001A", "Dixon", MAYA, customer, "US", "US-CA"),
        ("001B", "Kelly", MAYA, customer, "US", "US-CA"),
        ("001C", "Alpen", JONAS, customer, "DE", None),
        ("001D", "Lake", JONAS, prospect, "DE", None),
        ("001E", "Oak", DANIEL, customer, "US", "US-CA"),
    ]
    with database.engine.begin() as connection:
        upsert_reps(
            connection,
            [
                UnifiedRep("salesforce", rep.salesforce_user_id, rep.email, None, rep.active)
                for rep in REP_ROSTER
            ],
        )
        upsert_accounts(
            connection,
            [
                UnifiedAccount(
                    "salesforce",
                    record_id,
                    name=name,
                    country=country,
                    region=region,
                    owner_id=ids[owner],
                    raw=raw,
                )
                for record_id, name, owner, raw, country, region in records
            ],
            datetime.now(UTC),
        )
    database.dispose()
    (demo.WORKSPACE / "territories.yaml").write_text(
        demo.rep_leaves((demo.WORKSPACE / "territories.yaml").read_text(encoding="utf-8")),
        encoding="utf-8",
    )


def test_the_summary_names_each_rep_who_left_with_the_held_out_accounts_they_still_own(
    finished_demo: None,
) -> None:
    lines = [str(line) for line in demo.leaver_lines(demo.held_by_leavers(demo.LEAVER))]
    assert lines == [
        f"{JONAS} (no longer active in the CRM) still owns 1 held-out account: Alpen. Holdouts "
        "keep their owner, so no run moves them: reassign them in the CRM, or narrow the holdout.",
        f"{MAYA} (taken out of the territory file) still owns 2 held-out accounts: Dixon, Kelly. "
        "Holdouts keep their owner, so no run moves them: reassign them in the CRM, or narrow the "
        "holdout.",
    ]
