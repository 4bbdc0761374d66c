"""`territory-sync territories check` on a broken file: every error at once, in line order,
then exit code 2; a run of a broken file stops before it is recorded."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from territory_sync.cli import main
from tests.mapping.territories.test_all_errors_at_once import FIVE_ERRORS

UNREACHABLE = "http://127.0.0.1:9"
"""Where the CRM settings point: a run that starts would fail to reach them."""


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A territory file with five errors in three territories, the configured one."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("TERRITORY_SYNC_"):
            monkeypatch.delenv(name)
    path = tmp_path / "territories.yaml"
    path.write_text(FIVE_ERRORS, encoding="utf-8")
    monkeypatch.setenv("TERRITORY_SYNC_TERRITORIES_FILE", str(path))
    return path


def test_check_prints_all_five_errors_in_line_order_and_exits_2(
    broken: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--database-url", database_url, "territories", "check", str(broken)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"error: {broken}: 5 errors, in line order:"
    assert [line.split(": ", 2)[:2] for line in lines[1:]] == [
        [f"{broken}:4", "territory 'NA-West', field 'prority'"],
        [f"{broken}:7", "territory 'NA-West', field 'employees'"],
        [f"{broken}:9", "territory 'NA-West', field 'members'"],
        [f"{broken}:13", "territory 'EMEA', field 'goals'"],
        [f"{broken}:16", "territory 'NA-West', field 'name'"],
    ]


def test_check_json_lists_the_errors_with_their_line_territory_and_field(
    broken: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--database-url", database_url, "territories", "check", "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["file"] == str(broken)
    assert [(e["line"], e["territory"], e["field"]) for e in report["errors"]] == [
        (4, "NA-West", "prority"),
        (7, "NA-West", "employees"),
        (9, "NA-West", "members"),
        (13, "EMEA", "goals"),
        (16, "NA-West", "name"),
    ]
    assert report["errors"][3]["message"] == (
        "bookings must be 0 or more, not -5: an amount in the reporting currency"
    )


def test_a_sync_of_a_broken_file_exits_2_and_records_no_run(
    broken: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SALESFORCE_INSTANCE_URL", UNREACHABLE)
    monkeypatch.setenv("SALESFORCE_CLIENT_ID", "client-id")
    monkeypatch.setenv("SALESFORCE_CLIENT_SECRET", "client-secret")
    monkeypatch.setenv("HUBSPOT_BASE_URL", UNREACHABLE)
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "access-token")
    assert main(["--database-url", database_url, "sync", "--dry-run"]) == 2
    assert "5 errors, in line order" in capsys.readouterr().err
    assert main(["--database-url", database_url, "runs", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
