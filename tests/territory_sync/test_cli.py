"""The command line: version, init, database commands, JSON output and exit codes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mapping.unified import UnifiedAccount, UnifiedRep
from sync.store.accounts import upsert_accounts
from sync.store.database import open_database
from sync.store.reps import upsert_reps
from territory_sync.cli import main


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in list(__import__("os").environ):
        if name.startswith("TERRITORY_SYNC_"):
            monkeypatch.delenv(name)
    return tmp_path


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("territory-sync ")


def test_init_writes_a_configuration_that_loads_and_a_territory_file(workdir: Path) -> None:
    assert main(["init"]) == 0
    assert (workdir / "territory-sync.toml").is_file()
    assert (workdir / "territories.yaml").is_file()
    assert main(["db", "upgrade"]) == 0
    assert (workdir / "territory-sync.db").is_file()


def test_init_keeps_existing_files_unless_forced(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "territory-sync.toml").write_text("# mine\n")
    assert main(["init"]) == 0
    assert (workdir / "territory-sync.toml").read_text() == "# mine\n"
    assert "kept" in capsys.readouterr().out
    assert main(["init", "--force"]) == 0
    assert "[database]" in (workdir / "territory-sync.toml").read_text()


def test_db_current_reports_json_with_the_revision(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["db", "upgrade"])
    capsys.readouterr()
    assert main(["db", "current", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["up_to_date"] is True


def test_accounts_list_shows_owners_by_email_as_json(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = open_database(f"sqlite:///{workdir / 'territory-sync.db'}")
    with database.engine.begin() as connection:
        upsert_accounts(
            connection,
            [
                UnifiedAccount("salesforce", "001A", name="Acme", country="US", owner_id="005ANA"),
                UnifiedAccount("hubspot", "9001", name="Bolt GmbH", country="DE", owner_id="77"),
            ],
            datetime.now(UTC),
        )
        upsert_reps(
            connection,
            [
                UnifiedRep("salesforce", "005ANA", "Ana@Example.com", "Ana Ortiz", True),
                UnifiedRep("hubspot", "77", "ana@example.com", "Ana Ortiz", True),
            ],
        )
    database.dispose()
    assert main(["accounts", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["owner"]) for r in rows] == [
        ("Bolt GmbH", "ana@example.com"),
        ("Acme", "ana@example.com"),
    ]


def test_a_configuration_error_exits_2_with_one_line_and_no_traceback(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "territory-sync.toml").write_text("[sync]\nblast_radius = 7\n")
    assert main(["accounts", "list"]) == 2
    err = capsys.readouterr().err
    assert "sync.blast_radius" in err
    assert "Traceback" not in err


def test_a_usage_error_exits_2(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["accounts", "list", "--limit", "0"]) == 2
    assert "--limit" in capsys.readouterr().err


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["db", "upgrade"], ["init"], ["accounts", "list"], ["links", "pin"]):
        assert main([*command, "--help"]) == 0
    assert "Usage" in capsys.readouterr().out
