"""The sync commands as an admin types them: exit codes, messages and machine-readable output."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import text

from sync.lock import RunLock
from territory_sync.cli import main
from territory_sync.cli.output import console
from tests.end_to_end.conftest import ALL_NORTH_AMERICA_TO_ONE_REP, TERRITORIES, Product
from tests.hostile_text import FORMULAS, MARKUP, live_cells, read_csv

MARKUP_TERRITORY = "NA-East [/x]"


def cli(product: Product, *args: str) -> int:
    return main(
        [
            "--database-url",
            product.database.url,
            *args,
        ]
    )


@pytest.fixture
def configured(product: Product, monkeypatch: pytest.MonkeyPatch) -> Product:
    monkeypatch.setenv("TERRITORY_SYNC_TERRITORIES_FILE", str(product.territory_file))
    monkeypatch.setenv("TERRITORY_SYNC_SYNC_RETRY_INITIAL_SECONDS", "0.01")
    monkeypatch.setenv("TERRITORY_SYNC_CONFIG", "")
    monkeypatch.setenv("TERRITORY_SYNC_SYNC_BLAST_RADIUS", "1")
    return product


def test_a_dry_run_prints_json_figures_and_exits_0(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(configured, "sync", "--dry-run", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "succeeded"
    assert report["figures"]["planned"] > 0
    assert report["figures"]["api_calls"]["salesforce"]["calls"] > 0


def test_the_guard_rail_exits_3_and_says_how_to_proceed(
    configured: Product, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERRITORY_SYNC_SYNC_BLAST_RADIUS", "0.1")
    configured.use_territories(ALL_NORTH_AMERICA_TO_ONE_REP)
    assert cli(configured, "sync", "--yes") == 3
    out = capsys.readouterr().out
    assert "blast-radius limit" in out
    assert "territory-sync apply" in out


def test_a_run_while_another_holds_the_lock_exits_4_naming_the_holder(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    holder = RunLock(configured.database)
    holder.acquire()
    holder.claim(77)
    try:
        assert cli(configured, "sync", "--yes") == 4
    finally:
        holder.release()
    assert "another run holds the lock" in capsys.readouterr().err


def test_plan_as_csv_lists_every_change_with_its_reason(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(configured, "plan", "--format", "csv") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows
    assert {"source", "external_id", "old_owner_email", "new_owner_email", "reason"} <= set(rows[0])
    assert all(row["reason"] for row in rows)


def test_audit_verify_exits_1_and_names_an_edited_row(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(configured, "sync", "--yes") == 0
    with configured.database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET reason = 'nothing to see' WHERE id = 2"))
    capsys.readouterr()
    assert cli(configured, "audit", "verify") == 1
    assert "row 2: its content does not match its signature (edited" in capsys.readouterr().out


def test_an_accounts_audit_trail_after_a_dry_run_and_an_apply_shows_the_decision_only(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(configured, "sync", "--dry-run", "--json")
    capsys.readouterr()
    cli(configured, "sync", "--yes", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["figures"]["written"] > 0
    with configured.database.engine.connect() as connection:
        record = connection.execute(
            text("SELECT external_id FROM audit_log WHERE status = 'written' LIMIT 1")
        ).scalar_one()
    assert cli(configured, "audit", "--account", record, "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["status"] for row in rows] == ["written"]
    with configured.database.engine.connect() as connection:
        plans = connection.execute(
            text("SELECT count(*) FROM audit_log WHERE status = 'planned'")
        ).scalar_one()
    assert plans == 2, "one row per saved plan: the dry run's and the run's"


def test_bad_audit_filters_are_refused_with_exit_2(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(configured, "audit", "--since", "yesterday") == 2
    assert "--since must be a date" in capsys.readouterr().err
    assert cli(configured, "audit", "--status", "deleted'; DROP TABLE runs; --") == 2


def test_rollback_of_a_run_restores_its_owners(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    before = configured.owners("hubspot")
    cli(configured, "sync", "--yes", "--json")
    run_id = json.loads(capsys.readouterr().out)["run_id"]
    assert cli(configured, "rollback", str(run_id), "--yes", "--json") in (0, 1)
    after = configured.owners("hubspot")
    restored = [i for i in before if before[i] == after[i]]
    assert len(restored) > 0.9 * len(before)


@pytest.fixture
def hostile(configured: Product) -> dict[str, str]:
    """Salesforce accounts named with markup and formulas, each planned to move to NA-East;
    NA-East itself renamed to a name that is markup. Returns name -> record id."""
    emily = next(r for r in configured.sandbox.book.reps if r.email.startswith("emily."))
    names = (*MARKUP, *FORMULAS)
    ids = configured.sandbox.salesforce.create_records(
        [
            {"name": name, "country": "US", "region": "US-NY", "owner_id": emily.salesforce_user_id}
            for name in names
        ]
    )
    configured.use_territories(TERRITORIES.replace("NA-East", MARKUP_TERRITORY))
    return dict(zip(names, ids, strict=True))


@pytest.fixture(params=[80, 120], ids=["80-columns", "120-columns"])
def columns(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    width: int = request.param
    monkeypatch.setenv("COLUMNS", str(width))
    assert console.width == width, "the console's width must follow COLUMNS"
    return width


def printed_as_written(out: str, text: str) -> bool:
    return any(text in line for line in out.splitlines())


def test_plan_as_csv_makes_every_formula_in_an_account_name_inert(
    configured: Product, hostile: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(configured, "plan", "--format", "csv") == 0
    rows = read_csv(capsys.readouterr().out)
    by_id = {row[rows[0].index("external_id")]: row for row in rows[1:]}
    name = rows[0].index("account_name")
    for formula in FORMULAS:  # the pull trims the TAB or CR that leads a name
        assert by_id[hostile[formula]][name] == "'" + formula.strip()
    for markup in MARKUP:
        assert by_id[hostile[markup]][name] == markup
    assert live_cells(rows) == []


def test_the_plan_table_prints_markup_in_names_as_written(
    configured: Product,
    hostile: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    columns: int,
) -> None:
    assert cli(configured, "plan", "--territory", MARKUP_TERRITORY) == 0
    out = capsys.readouterr().out
    for wanted in (*MARKUP, MARKUP_TERRITORY, '=HYPERLINK("http://x","y")'):
        assert printed_as_written(out, wanted), wanted
    assert max(len(line) for line in out.splitlines()) <= columns


def test_after_a_sync_every_table_prints_the_names_as_written(
    configured: Product,
    hostile: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    columns: int,
) -> None:
    assert cli(configured, "sync", "--yes") == 0
    summary = capsys.readouterr().out
    assert printed_as_written(summary, f"in {MARKUP_TERRITORY}")
    commands = {
        ("audit", "--territory", MARKUP_TERRITORY): (*MARKUP, MARKUP_TERRITORY),
        ("accounts", "list", "--search", "acme [/x]"): (MARKUP[0],),
        ("explain", hostile[MARKUP[1]]): (MARKUP[1], MARKUP_TERRITORY),
        ("balance",): (MARKUP_TERRITORY,),
        ("runs", "show", "1"): (MARKUP_TERRITORY,),
    }
    for command, texts in commands.items():
        assert cli(configured, *command) == 0, command
        out = capsys.readouterr().out
        for wanted in texts:
            assert printed_as_written(out, wanted), (command, wanted, out)
