"""What the sync commands tell a person besides their data: the plan saved, a guard rail ahead,
and the owners a rollback would restore."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.end_to_end.conftest import ALL_NORTH_AMERICA_TO_ONE_REP, Product
from tests.territory_sync.cli_sandbox import ON_SQLITE_ONLY, cli, one_line


@pytest.fixture
def over_the_limit(configured: Product, monkeypatch: pytest.MonkeyPatch) -> Product:
    """A territory file that hands all of North America to one rep, and a 10% guard rail."""
    monkeypatch.setenv("TERRITORY_SYNC_SYNC_BLAST_RADIUS", "0.1")
    configured.use_territories(ALL_NORTH_AMERICA_TO_ONE_REP)
    return configured


@pytest.fixture
def synced(configured: Product, capsys: pytest.CaptureFixture[str]) -> int:
    """The id of a run that wrote new owners for NA-East."""
    assert cli(configured, "sync", "--territory", "NA-East", "--yes", "--json") == 0
    run_id: int = json.loads(capsys.readouterr().out)["run_id"]
    return run_id


@ON_SQLITE_ONLY
def test_a_dry_run_a_real_run_would_stop_says_so_and_how_to_go_ahead(
    over_the_limit: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(over_the_limit, "sync", "--dry-run") == 0
    out = one_line(capsys.readouterr().out)
    assert (
        "dry run: nothing written. A real run would stop here: 267 of 600 evaluated accounts "
        "(44.5%) would change owner, more than the 10% blast-radius limit. To go ahead, review "
        "plan 1 and apply it with `territory-sync apply 1`, or rerun with --allow-mass-change "
        "(or raise [sync] blast_radius)"
    ) in out


@ON_SQLITE_ONLY
def test_a_dry_run_within_the_guard_rail_does_not_mention_it(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(configured, "sync", "--dry-run", "--json") == 0
    message = json.loads(capsys.readouterr().out)["message"]
    assert message == "dry run: nothing written; apply with `territory-sync apply 1`"


@ON_SQLITE_ONLY
def test_plan_as_csv_says_which_plan_it_saved_on_standard_error(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(configured, "plan", "--format", "csv") == 0
    captured = capsys.readouterr()
    assert captured.err == "saved plan 1\n"
    assert next(csv.reader(io.StringIO(captured.out)))[0] == "source"


@ON_SQLITE_ONLY
def test_plan_as_json_says_which_plan_it_saved_on_standard_error(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(configured, "plan", "--format", "json") == 0
    captured = capsys.readouterr()
    assert captured.err == "saved plan 1\n"
    assert json.loads(captured.out)["plan_id"] == 1


@ON_SQLITE_ONLY
def test_plan_as_a_table_says_which_plan_it_saved(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(configured, "plan", "--territory", "NA-East") == 0
    assert "\nsaved plan 1\n" in capsys.readouterr().out


@ON_SQLITE_ONLY
def test_plan_as_csv_a_real_run_would_stop_says_so_beside_the_plan_id(
    over_the_limit: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(over_the_limit, "plan", "--format", "csv") == 0
    err = capsys.readouterr().err
    assert err.startswith("saved plan 1\nA real run would stop here: 267 of 600 evaluated")
    assert "`territory-sync apply 1`" in one_line(err)


def test_rollback_dry_run_lists_each_account_with_the_owner_it_would_restore(
    configured: Product, synced: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(configured, "rollback", str(synced), "--dry-run", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    accounts = [row for row in report["changes"] if row["object_name"] == "account"]
    assert accounts
    assert {row["owner_now"] for row in accounts} <= {"rachel.goldberg@acme-revenue.example"}, (
        "NA-East's one member got them all"
    )
    assert all(row["owner_restored"] for row in accounts if row["state"] == "planned")
    assert report["message"] == "dry run: nothing written"


def test_rollback_dry_run_shows_the_owners_as_a_table_and_writes_nothing(
    configured: Product, synced: int, capsys: pytest.CaptureFixture[str]
) -> None:
    before = configured.owners("hubspot")
    assert cli(configured, "rollback", str(synced), "--dry-run") == 0
    out = capsys.readouterr().out
    assert f"Rollback of run {synced}: nothing written yet" in out
    assert "owner_restored" in out
    assert "rachel.goldberg@acme-revenue.example" in out
    assert configured.owners("hubspot") == before
