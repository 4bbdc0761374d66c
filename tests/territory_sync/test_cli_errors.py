"""Command-line errors of the sync commands: unknown scopes, configuration errors, JSON errors.

A mistake plain before a run starts (an unknown `--account` or `--territory`, a missing
credential, a broken territory file) exits 2 with one line saying what to fix, and records no
run. Given `--json`, every failing command also prints its error as a JSON object on standard
output, with the error's documented exit code.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from mapping.unified import UnifiedAccount
from sync.lock import RunLock
from sync.store.accounts import upsert_accounts
from territory_sync.cli import main
from tests.end_to_end.conftest import Product
from tests.territory_sync.cli_sandbox import (
    ON_SQLITE_ONLY,
    cli,
    one_line,
    recorded_runs,
)


@pytest.fixture
def pulled(configured: Product) -> Product:
    """The product with two accounts in the store, as a pull leaves them."""
    with configured.database.engine.begin() as connection:
        upsert_accounts(
            connection,
            [
                UnifiedAccount("salesforce", "0015g00000ACME1", name="Acme Corp", domain="acme.io"),
                UnifiedAccount("hubspot", "9001", name="Bolt GmbH", domain="bolt.example"),
            ],
            datetime.now(UTC),
        )
    return configured


def test_an_unknown_account_name_exits_2_suggesting_the_id_of_the_closest_account(
    pulled: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(pulled, "sync", "--account", "Acme Corp.", "--yes") == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1
    assert one_line(captured.err) == (
        "error: --account 'Acme Corp.': no pulled account has that CRM id or domain "
        "(did you mean '0015g00000ACME1', the id of 'Acme Corp'?)"
    )
    assert recorded_runs(pulled, capsys) == []


def test_a_mistyped_domain_exits_2_suggesting_the_domain(
    pulled: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(pulled, "sync", "--dry-run", "--account", "bolt.exmple") == 2
    assert "(did you mean 'bolt.example'?)" in one_line(capsys.readouterr().err)


def test_an_account_like_none_pulled_exits_2_saying_how_to_find_one(
    pulled: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(pulled, "sync", "--account", "nope", "--yes") == 2
    err = one_line(capsys.readouterr().err)
    assert err.startswith("error: --account 'nope': no pulled account has that CRM id or domain;")
    assert "`territory-sync accounts list --search NAME`" in err
    assert recorded_runs(pulled, capsys) == []


def test_an_account_before_anything_is_pulled_exits_2_saying_how_to_pull(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(configured, "sync", "--account", "0015g00000ACME1", "--yes") == 2
    assert one_line(capsys.readouterr().err) == (
        "error: --account '0015g00000ACME1': no account is pulled yet, so none can be picked "
        "out; an account new in the CRM is known once pulled: `territory-sync sync --dry-run` "
        "pulls and writes nothing"
    )


def test_plan_of_an_unknown_account_records_no_run(
    pulled: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(pulled, "plan", "--account", "0015g00000ACME2", "--format", "csv") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "did you mean '0015g00000ACME1'?" in captured.err
    assert recorded_runs(pulled, capsys) == []


@ON_SQLITE_ONLY
def test_an_unknown_territory_exits_2_suggesting_the_closest_one_and_records_no_run(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(configured, "sync", "--territory", "NA-Est", "--yes") == 2
    err = one_line(capsys.readouterr().err)
    assert err == (
        f"error: --territory 'NA-Est': {configured.territory_file} has no territory of that "
        "name (did you mean 'NA-East'?)"
    )
    assert recorded_runs(configured, capsys) == []


@ON_SQLITE_ONLY
def test_a_territory_like_none_in_the_file_exits_2_listing_the_territories(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(configured, "sync", "--territory", "Nope", "--dry-run") == 2
    assert one_line(capsys.readouterr().err).endswith(
        "has no territory of that name; its territories are 'NA', 'NA-West', 'NA-East', 'EMEA'"
    )


@ON_SQLITE_ONLY
def test_a_missing_credential_exits_2_naming_the_variable_and_records_no_run(
    configured: Product, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN")
    assert cli(configured, "sync", "--dry-run") == 2
    assert "set the environment variable HUBSPOT_ACCESS_TOKEN" in capsys.readouterr().err
    assert recorded_runs(configured, capsys) == []


@ON_SQLITE_ONLY
def test_a_broken_territory_file_exits_2_naming_its_line_and_records_no_run(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    configured.use_territories(
        "version: 1\nterritories:\n  - name: NA\n    criteria:\n      countryy: [US]\n"
    )
    assert cli(configured, "plan") == 2
    err = capsys.readouterr().err
    assert f"{configured.territory_file}:5: territory 'NA'" in err
    assert "unknown criterion 'countryy' (did you mean 'country'?)" in err
    assert recorded_runs(configured, capsys) == []


@ON_SQLITE_ONLY
def test_apply_with_a_missing_credential_exits_2_and_records_no_run(
    configured: Product, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli(configured, "plan", "--format", "json") == 0
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN")
    assert cli(configured, "apply", "1", "--yes") == 2
    assert "set the environment variable HUBSPOT_ACCESS_TOKEN" in capsys.readouterr().err
    assert [run["id"] for run in recorded_runs(configured, capsys)] == [1], "the plan's run only"


@ON_SQLITE_ONLY
def test_a_failing_command_given_json_prints_the_error_as_json_on_standard_output(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(configured, "sync", "--dry-run", "--territory", "Nope", "--json") == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["code"] == "unknown_territory"
    assert error["message"].startswith("--territory 'Nope': ")


@ON_SQLITE_ONLY
def test_a_json_error_exits_with_the_errors_documented_code(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    holder = RunLock(configured.database)
    holder.acquire()
    holder.claim(77)
    try:
        assert cli(configured, "sync", "--yes", "--json") == 4
    finally:
        holder.release()
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["code"] == "run_locked"
    assert "another run holds the lock" in error["message"]


@ON_SQLITE_ONLY
def test_plan_given_format_json_prints_its_error_as_json(
    configured: Product, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN")
    assert cli(configured, "plan", "--format", "json") == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "missing_credential"


@ON_SQLITE_ONLY
def test_writing_without_yes_or_a_terminal_given_json_is_a_json_error(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(configured, "sync", "--json") == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out)["error"]["code"] == "confirmation_required"
    assert "refusing to write owners without --yes" in captured.err


def test_a_usage_error_given_json_prints_a_usage_error_object_and_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["sync", "--json", "--no-such-option"]) == 2
    assert json.loads(capsys.readouterr().out) == {
        "error": {"code": "usage", "message": "No such option: --no-such-option"}
    }


@ON_SQLITE_ONLY
def test_without_json_an_error_is_one_line_on_standard_error_only(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(configured, "rollback", "99", "--yes") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "error: there is no run 99; `territory-sync runs` lists runs\n"


@ON_SQLITE_ONLY
def test_rollback_of_an_unknown_run_records_no_run(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(configured, "rollback", "99", "--dry-run", "--json") == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "configuration"
    assert recorded_runs(configured, capsys) == []


def test_the_help_lists_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "Exit codes:" in out
    assert "3    stopped by a guard rail before anything was written" in out
    assert "130  stopped by Ctrl-C or SIGTERM" in out


def test_apply_of_a_plan_id_that_names_no_plan_exits_2_and_records_no_run(
    configured: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(configured, "apply", "4242", "--yes") == 2
    assert one_line(capsys.readouterr().err) == (
        "error: there is no plan 4242; `territory-sync plan` saves one and prints its id "
        "(`territory-sync runs show RUN_ID` names the plan a run made)"
    )
    assert recorded_runs(configured, capsys) == []
